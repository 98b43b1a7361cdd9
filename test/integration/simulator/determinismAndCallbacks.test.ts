import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decrypt, getSignature } from '@wecom/crypto';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Json, startHarness } from './simHarness.js';

const START = Date.UTC(2026, 0, 15, 8, 0, 0);

async function metadata(h: Harness) {
  const corps = await h.corps();
  const { token } = await h.readyCorp(1);
  const list: Json[] = (await h.api(token, '/cgi-bin/chatdata/sync_msg', { limit: 1000 }))['msg_list'];
  return { corps, messages: list.map(({ service_encrypt_info: _k, ...rest }) => rest) };
}

describe('simulator seed determinism', () => {
  it('one seed gives identical corps and message metadata; another seed differs', async () => {
    const [a, b, c] = await Promise.all([
      startHarness({ seed: 7, startTimeMs: START }),
      startHarness({ seed: 7, startTimeMs: START }),
      startHarness({ seed: 8, startTimeMs: START }),
    ]);
    try {
      const [ma, mb, mc] = await Promise.all([metadata(a), metadata(b), metadata(c)]);
      expect(ma.messages).toHaveLength(60);
      expect(mb).toEqual(ma);
      expect(mc.corps).not.toEqual(ma.corps);
      expect(mc.messages).not.toEqual(ma.messages);
      expect(ma.corps[0]!['corpId']).toMatch(/^ww/);
      expect(ma.corps[0]!['customers'][0]['externalUserId']).toMatch(/^wm/);
    } finally {
      await Promise.all([a.sim.stop(), b.sim.stop(), c.sim.stop()]);
    }
  });
});

type Received = { infoType: string; fields: Json; receiveId: string };

/**
 * A callback receiver that checks WeCom's signature scheme and decrypts every event, and answers
 * the GET URL verification; `verified` holds the receiveids of the echostrs it answered.
 */
function startReceiver(token: string, aesKey: string) {
  const events: Received[] = [];
  const verified: string[] = [];
  const waiters: (() => void)[] = [];
  const parser = new XMLParser({ parseTagValue: false });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      const encrypted =
        req.method === 'GET'
          ? q.get('echostr')!
          : String(parser.parse(Buffer.concat(chunks).toString())['xml']['Encrypt']);
      if (getSignature(token, q.get('timestamp')!, q.get('nonce')!, encrypted) !== q.get('msg_signature')) {
        res.writeHead(403).end('bad signature');
        return;
      }
      const { message, id } = decrypt(aesKey, encrypted);
      if (req.method === 'GET') {
        verified.push(id);
        res.end(message);
        return;
      }
      const fields = parser.parse(message)['xml'] as Json;
      events.push({ infoType: fields['InfoType'], fields, receiveId: id });
      for (const w of waiters.splice(0)) w();
      res.end('success');
    });
  });
  const waitFor = async (pred: (e: Received) => boolean, what: string): Promise<Received> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = events.find(pred);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no ${what} callback; got ${events.map((e) => e.infoType).join(',')}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  return {
    events,
    verified,
    waitFor,
    listen: () =>
      new Promise<string>((r) =>
        server.listen(0, '127.0.0.1', () =>
          r(`http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`),
        ),
      ),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('simulator callbacks (docs/upstream.md §4)', () => {
  let h: Harness;
  let rx: ReturnType<typeof startReceiver>;
  beforeAll(async () => {
    h = await startHarness({ newMessageBatchMs: 50, callbackTries: 2 });
    const o = h.sim.options;
    rx = startReceiver(o.callbackToken, o.callbackAesKey);
    h.sim.setCallbackUrl(await rx.listen());
  });
  afterAll(async () => {
    await h.sim.stop();
    await rx.close();
  });

  it('verifies the URL with the provider corpid, then pushes suite_ticket and create_auth per corp for both apps', async () => {
    await h.sim.beginCallbacks();
    const o = h.sim.options;
    // As WeCom when a URL is saved: receiveid = the provider's own corpid (docs/upstream.md §8.1).
    expect(rx.verified).toEqual([o.providerCorpId]);
    const stats = await h.control('GET', '/__sim/stats');
    expect(stats.json['urlVerification']).toMatchObject({
      ok: 1,
      failed: 0,
      last: { receiveId: o.providerCorpId },
    });
    const ticket = await rx.waitFor(
      (e) => e.infoType === 'suite_ticket' && e.fields['SuiteId'] === o.suiteId,
      'suite_ticket',
    );
    expect(ticket.receiveId).toBe(o.suiteId);
    const displayTicket = await rx.waitFor(
      (e) => e.infoType === 'suite_ticket' && e.fields['SuiteId'] === o.displaySuiteId,
      'display suite_ticket',
    );
    expect(displayTicket.receiveId).toBe(o.displaySuiteId);
    const corps = await h.corps();
    const auths = rx.events.filter((e) => e.infoType === 'create_auth' && e.fields['SuiteId'] === o.suiteId);
    expect(auths).toHaveLength(corps.length);
    const displayAuths = rx.events.filter(
      (e) => e.infoType === 'create_auth' && e.fields['SuiteId'] === o.displaySuiteId,
    );
    expect(displayAuths).toHaveLength(corps.length);
    expect(corps.every((c) => c['authorized'] && c['displayAuthorized'])).toBe(true);
    const st = await h.post('/cgi-bin/service/get_suite_token', {
      suite_id: o.suiteId,
      suite_secret: o.suiteSecret,
      suite_ticket: ticket.fields['SuiteTicket'],
    });
    const perm = await h.post(
      '/cgi-bin/service/get_permanent_code',
      { auth_code: auths[0]!.fields['AuthCode'] },
      { suite_access_token: st['suite_access_token'] },
    );
    expect(perm['errcode']).toBe(0);
  });

  it('fires conversation_new_message after POST /__sim/messages and hit_keyword for a matching rule', async () => {
    const { corpId, token } = await h.readyCorp(0);
    const rule = await h.api(token, '/cgi-bin/chatdata/keyword/create_rule', {
      name: 'red packets',
      semantics: { semantics_list: [1] },
    });
    expect(rule['errcode']).toBe(0);
    const made = await h.control('POST', '/__sim/messages', { corpId, count: 1, msgtype: 13 });
    const ev = await rx.waitFor(
      (e) => e.infoType === 'conversation_new_message' && e.fields['Token'] === made.json['token'],
      'new message',
    );
    expect(ev.fields['AuthCorpId']).toBe(corpId);
    const sync = await h.api(token, '/cgi-bin/chatdata/sync_msg', { token: ev.fields['Token'], limit: 1000 });
    expect(sync['msg_list'].map((m: Json) => m['msgid'])).toContain(made.json['msgids'][0]);
    const hit = await rx.waitFor((e) => e.infoType === 'hit_keyword', 'hit_keyword');
    const hits = await h.api(token, '/cgi-bin/chatdata/keyword/get_hit_msg_list', {
      token: hit.fields['Token'],
    });
    expect(hits['msg_list'][0]).toMatchObject({
      msgid: made.json['msgids'][0],
      hit_rule_list: [{ rule_id: rule['rule_id'], has_hit_keyword: false, semantics_list: [1] }],
    });
  });

  it('sends consent, cancel_auth and export_finished events with their fields', async () => {
    const corp = (await h.corps())[0]!;
    const c = corp['consents'][0];
    await h.control('POST', '/__sim/events', {
      type: 'consent',
      corpId: corp['corpId'],
      openUserId: c['openUserId'],
      externalUserId: c['externalUserId'],
    });
    const single = await rx.waitFor((e) => e.infoType === 'chat_archive_audit_approved_single', 'consent');
    expect(single.fields).toMatchObject({
      AuthCorpId: corp['corpId'],
      OpenUserID: c['openUserId'],
      ExternalUserID: c['externalUserId'],
    });
    const rc = corp['roomConsents'][0];
    await h.control('POST', '/__sim/events', {
      type: 'consent',
      corpId: corp['corpId'],
      chatId: rc['chatId'],
      externalUserId: rc['externalUserId'],
    });
    const room = await rx.waitFor((e) => e.infoType === 'chat_archive_audit_approved_room', 'room consent');
    expect(room.fields).toMatchObject({ ChatId: rc['chatId'], ExternalUserID: rc['externalUserId'] });
    await h.control('POST', '/__sim/events', {
      type: 'export_finished',
      corpId: corp['corpId'],
      jobId: 'job-1',
    });
    expect(
      (await rx.waitFor((e) => e.infoType === 'chat_archive_export_finished', 'export')).fields['JobId'],
    ).toBe('job-1');
    await h.control('POST', '/__sim/events', { type: 'cancel_auth', corpId: corp['corpId'] });
    expect((await rx.waitFor((e) => e.infoType === 'cancel_auth', 'cancel')).fields['AuthCorpId']).toBe(
      corp['corpId'],
    );
    const stats = await h.control('GET', '/__sim/stats');
    expect(stats.json['callbacks']['byInfoType']['suite_ticket']['ok']).toBeGreaterThan(0);
  });
});
