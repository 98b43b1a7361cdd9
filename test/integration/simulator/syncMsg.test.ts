import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Json, makeKeyPair, startHarness } from './simHarness.js';

const SYNC = '/cgi-bin/chatdata/sync_msg';

describe('simulator sync_msg, public keys and render (docs/upstream.md §3.1, §3.10, §5)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ backlogPerCorp: 100, tokenlessSyncPerMinute: 1000 });
  });
  afterAll(() => h.sim.stop());

  it('answers 710659 until a public key is set; set_public_key validates key and version', async () => {
    const corpId = (await h.corps())[1]!['corpId'];
    const token = await h.corpToken(corpId);
    expect((await h.api(token, SYNC, {}))['errcode']).toBe(710659);
    const keys = makeKeyPair();
    const setKey = (public_key: string, public_key_ver: number) =>
      h.api(token, '/cgi-bin/chatdata/set_public_key', { public_key, public_key_ver });
    expect((await setKey('not a pem', 1))['errcode']).toBe(40211);
    expect((await setKey(keys.publicPem, 3))['errcode']).toBe(0);
    expect((await setKey(makeKeyPair().publicPem, 3))['errcode']).toBe(40212);
    expect((await h.api(token, SYNC, {}))['errcode']).toBe(0);
  });

  it('pages the backlog in ascending send_time with opaque cursors, all msgtypes present', async () => {
    const { token, keys } = await h.readyCorp(0);
    const seen: Json[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i += 1) {
      const r = await h.api(token, SYNC, { cursor, limit: 30 });
      expect(r['errcode']).toBe(0);
      seen.push(...r['msg_list']);
      cursor = r['next_cursor'];
      expect(Buffer.byteLength(cursor!)).toBeLessThanOrEqual(128);
      // A JSON boolean, as the official sync_msg example (docs/upstream.md §8.9): never 0/1 here.
      if (r['has_more'] === false) break;
      expect(r['has_more']).toBe(true);
    }
    expect(seen).toHaveLength(100);
    const times = seen.map((m) => m['send_time']);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(seen.map((m) => m['msgtype']))).toEqual(new Set(Array.from({ length: 29 }, (_, i) => i)));
    const m = seen[0]!;
    expect(m['service_encrypt_info']['public_key_ver']).toBe(1);
    expect(m['content']).toBeUndefined();
    const secret = keys.decrypt(m['service_encrypt_info']['encrypted_secret_key']);
    const ok = await h.control(
      'GET',
      `/__sim/render?msgid=${encodeURIComponent(m['msgid'])}&secret_key=${encodeURIComponent(secret)}`,
    );
    expect(ok.status).toBe(200);
    expect(ok.json['msgtype']).toBe(m['msgtype']);
    const wrong = await h.control(
      'GET',
      `/__sim/render?msgid=${encodeURIComponent(m['msgid'])}&secret_key=wrong`,
    );
    expect(wrong.status).toBe(403);
    expect(wrong.json['errcode']).toBe(710605);
    expect((await h.control('GET', '/__sim/render?msgid=nope&secret_key=x')).status).toBe(404);
    // At the end: no more messages, the cursor stays usable.
    const tail = await h.api(token, SYNC, { cursor });
    expect(tail['msg_list']).toEqual([]);
    expect(tail['has_more']).toBe(false);
  });

  it('rejects bad limits, foreign and oversized cursors', async () => {
    const a = await h.readyCorp(0);
    const b = await h.readyCorp(2);
    // Out of range is a bad parameter; 301058 means "answer too large" (docs/upstream.md §8.7).
    expect((await h.api(a.token, SYNC, { limit: 1001 }))['errcode']).toBe(40058);
    const foreign = (await h.api(b.token, SYNC, { limit: 1 }))['next_cursor'];
    expect((await h.api(a.token, SYNC, { cursor: foreign }))['errcode']).toBe(710611);
    expect((await h.api(a.token, SYNC, { cursor: 'x'.repeat(129) }))['errcode']).toBe(50100);
  });

  it('only serves the last 5 days and encrypts new messages with the current key', async () => {
    const { corpId } = await h.readyCorp(0);
    await h.control('POST', '/__sim/clock', { advanceSeconds: 5 * 86_400 });
    const token = await h.corpToken(corpId); // the old one expired with the clock
    const created = await h.control('POST', '/__sim/messages', { corpId, count: 3 });
    expect(created.json['msgids']).toHaveLength(3);
    const keys2 = makeKeyPair();
    await h.api(token, '/cgi-bin/chatdata/set_public_key', {
      public_key: keys2.publicPem,
      public_key_ver: 7,
    });
    const later = await h.control('POST', '/__sim/messages', { corpId, count: 1, msgtype: 1 });
    const r = await h.api(token, SYNC, { token: later.json['token'] });
    expect(r['msg_list'].map((m: Json) => m['msgid'])).toEqual([
      ...created.json['msgids'],
      ...later.json['msgids'],
    ]);
    const last = r['msg_list'].at(-1);
    expect(last['service_encrypt_info']['public_key_ver']).toBe(7);
    expect(keys2.decrypt(last['service_encrypt_info']['encrypted_secret_key']).length).toBeGreaterThan(10);
    expect((await h.api(token, SYNC, { token: 'forged' }))['errcode']).toBe(40058);
  });

  it('drops messages created while the corp has no key', async () => {
    const corpId = (await h.corps())[2]!['corpId'];
    const fresh = await startHarness({ backlogPerCorp: 0 });
    try {
      const r = await fresh.control('POST', '/__sim/messages', { corpId, count: 2 });
      expect(r.json).toMatchObject({ msgids: [], dropped: 2 });
    } finally {
      await fresh.sim.stop();
    }
  });
});
