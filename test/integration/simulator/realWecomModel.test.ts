import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Json, makeKeyPair, startHarness } from './simHarness.js';

// What issue 11 taught the simulator: the provider corpid in URL verification, two apps, lost
// responses, malformed records, 301058 as "answer too large", cancel clears the archive, and
// keyword range lists of ≤100.
const C = '/cgi-bin/chatdata';
const SYNC = `${C}/sync_msg`;

describe('simulator: URL verification', () => {
  it('counts a receiver that does not echo the plaintext as a failed verification', async () => {
    const server = createServer((_req, res) => res.end('not the plaintext'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const h = await startHarness({
      callbackUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`,
    });
    try {
      const { json } = await h.control('POST', '/__sim/verify-url');
      expect(json['results']).toEqual([
        expect.objectContaining({ ok: false, status: 200, receiveId: h.sim.options.providerCorpId }),
      ]);
      const stats = await h.control('GET', '/__sim/stats');
      expect(stats.json['urlVerification']).toMatchObject({ ok: 0, failed: 1 });
    } finally {
      await h.sim.stop();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('simulator: the model of issue 11', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      backlogPerCorp: 40,
      tokenlessSyncPerMinute: 10_000,
      syncMaxResponseBytes: 10_000,
    });
  });
  afterAll(() => h.sim.stop());

  it("gives each app its own suite token, permanent code and agent: the display app's is 1000002", async () => {
    const corpId = (await h.corps())[2]!['corpId'] as string;
    const permanent = async (app: 'archive' | 'display') => {
      const st = await h.suiteToken(app);
      const { json } = await h.control('POST', '/__sim/events', { type: 'create_auth', corpId, app });
      return h.post(
        `/cgi-bin/service/get_permanent_code`,
        { auth_code: json['authCode'] },
        { suite_access_token: st },
      );
    };
    const archive = await permanent('archive');
    const display = await permanent('display');
    expect(archive['auth_info']['agent'][0]['agentid']).toBe(1000001);
    expect(display['auth_info']['agent'][0]['agentid']).toBe(1000002);
    expect(display['permanent_code']).not.toBe(archive['permanent_code']);
    // One app's suite token cannot exchange the other's auth code.
    const displayCode = (
      await h.control('POST', '/__sim/events', { type: 'create_auth', corpId, app: 'display' })
    ).json['authCode'];
    const crossed = await h.post(
      `/cgi-bin/service/get_permanent_code`,
      { auth_code: displayCode },
      { suite_access_token: await h.suiteToken('archive') },
    );
    expect(crossed['errcode']).toBe(40078);
  });

  it('responseLost: the call takes effect, then the connection closes without an answer', async () => {
    const { token } = await h.readyCorp(0);
    const path = `${C}/keyword/create_rule`;
    await h.control('POST', '/__sim/faults', { path, responseLost: true, times: 1 });
    const lost = await fetch(`${h.url}${path}?access_token=${token}`, {
      method: 'POST',
      body: JSON.stringify({ name: 'lost answer', keyword: { word_list: ['合同'] } }),
    }).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    expect(lost).not.toBe('answered');
    const rules = await h.api(token, `${C}/keyword/get_rule_list`, {});
    expect(rules['rule_list'].map((r: Json) => r['name'])).toContain('lost answer');
    // times: 1 — the next call is answered.
    expect((await h.api(token, path, { name: 'answered', keyword: { word_list: ['x'] } }))['errcode']).toBe(
      0,
    );
  });

  it('malformed: k of the new records break the documented shape, one kind after another', async () => {
    const { corpId, token } = await h.readyCorp(1);
    let cursor: string | undefined;
    for (;;) {
      const page = await h.api(token, SYNC, { cursor, limit: 5 });
      cursor = page['next_cursor'];
      if (!page['has_more']) break;
    }
    const made = await h.control('POST', '/__sim/messages', { corpId, count: 9, malformed: 3 });
    expect(made.json['malformed'].map((m: Json) => m['kind'])).toEqual([
      'no_encrypt_info',
      'unknown_msgtype',
      'wrong_type',
    ]);
    const page = await h.api(token, SYNC, { cursor, limit: 9 });
    const records: Json[] = page['msg_list'];
    expect(records.map((r) => r['msgid'])).toEqual(made.json['msgids']);
    const byId = new Map(records.map((r) => [r['msgid'], r]));
    const [noKey, badType, wrongType] = made.json['malformed'].map((m: Json) => byId.get(m['msgid']));
    expect(noKey).not.toHaveProperty('service_encrypt_info');
    expect(badType['msgtype']).toBe(9999);
    expect(typeof wrongType['send_time']).toBe('string');
    const wellFormed = records.filter(
      (r) => !made.json['malformed'].some((m: Json) => m['msgid'] === r['msgid']),
    );
    expect(wellFormed).toHaveLength(6);
    for (const r of wellFormed) {
      expect(typeof r['send_time']).toBe('number');
      expect(r['service_encrypt_info']['public_key_ver']).toBe(1);
    }
    const bad = await h.control('POST', '/__sim/messages', { corpId, count: 2, malformed: 3 });
    expect(bad.status).toBe(400);
    expect(bad.json['error']).toContain('malformed must be an integer 0..2');
  });

  it('301058 means the answer would be too large: the same page with a lower limit is served', async () => {
    const { token } = await h.readyCorp(0);
    const big = await h.api(token, SYNC, { limit: 40 });
    expect(big['errcode']).toBe(301058);
    expect(big['errmsg']).toContain('lower limit');
    const small = await h.api(token, SYNC, { limit: 5 });
    expect(small['errcode']).toBe(0);
    expect(small['msg_list']).toHaveLength(5);
  });

  it('keyword rule ranges hold ≤100 entries per list (HTTP API, docs/upstream.md §8.4)', async () => {
    const { token, corp } = await h.readyCorp(0);
    const users = Array.from({ length: 101 }, () => corp['employees'][0]['openUserId']);
    const rule = (range: Json) =>
      h.api(token, `${C}/keyword/create_rule`, {
        name: 'range',
        keyword: { word_list: ['a'] },
        applicable_range: range,
      });
    const overUsers = await rule({ user: { id_list: users } });
    expect(overUsers['errcode']).toBe(40058);
    expect(overUsers['errmsg']).toContain('user.id_list must hold <= 100 entries, got 101');
    const chats = Array.from({ length: 101 }, () => 'wrx');
    expect((await rule({ chat: { id_list: chats } }))['errcode']).toBe(710649);
    expect((await rule({ user: { id_list: users.slice(0, 100) } }))['errcode']).toBe(0);
  });

  it('cancel_auth clears the archive upstream; a new authorization starts from an empty one', async () => {
    const { corpId, token } = await h.readyCorp(2);
    expect((await h.api(token, SYNC, { limit: 5 }))['msg_list'].length).toBeGreaterThan(0);
    await h.control('POST', '/__sim/events', { type: 'cancel_auth', corpId });
    expect((await h.api(token, SYNC, { limit: 5 }))['errcode']).toBe(48004);
    const view = (await h.corps()).find((c) => c['corpId'] === corpId)!;
    expect(view).toMatchObject({
      authorized: false,
      keySet: false,
      messageCount: 0,
      backlogPending: 0,
      ruleCount: 0,
    });

    const fresh = await h.corpToken(corpId);
    expect((await h.api(fresh, SYNC, {}))['errcode']).toBe(710659);
    const set = await h.api(fresh, `${C}/set_public_key`, {
      public_key: makeKeyPair().publicPem,
      public_key_ver: 2,
    });
    expect(set['errcode']).toBe(0);
    expect((await h.api(fresh, SYNC, {}))['msg_list']).toEqual([]);
  });
});
