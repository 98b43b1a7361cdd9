import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, until } from './simHarness.js';

const USERS = '/cgi-bin/chatdata/get_auth_user_list';

describe('simulator envelope, limits and faults (docs/upstream.md §2)', () => {
  let h: Harness;
  let corpId: string;
  let token: string;
  beforeAll(async () => {
    h = await startHarness({
      ratePerMinute: 5,
      ratePerHour: 1000,
      concurrency: 2,
      tokenlessSyncPerMinute: 2,
    });
    corpId = (await h.corps())[0]!['corpId'];
    token = await h.corpToken(corpId);
  });
  afterAll(() => h.sim.stop());

  it('answers malformed JSON with HTTP 200 and 47001 "Warning: wrong json format."', async () => {
    const r = await h.postRaw(USERS, '{"limit":', { access_token: token });
    expect(r.status).toBe(200);
    expect(r.json['errcode']).toBe(47001);
    expect(r.json['errmsg']).toContain('Warning: wrong json format.');
  });

  it('answers an unknown api with HTTP 404 and errcode 48001, and GET with 43002', async () => {
    const r = await h.postRaw('/cgi-bin/chatdata/nope', '{}', { access_token: token });
    expect(r.status).toBe(404);
    expect(r.json['errcode']).toBe(48001);
    const g = await fetch(`${h.url}${USERS}?access_token=${token}`);
    expect(((await g.json()) as { errcode: number }).errcode).toBe(43002);
  });

  it('counts calls by path and resets the counts', async () => {
    await h.control('POST', '/__sim/stats/reset');
    await h.api(token, USERS, {});
    await h.api(token, USERS, {});
    const { json } = await h.control('GET', '/__sim/stats');
    expect(json['calls']).toEqual({ [USERS]: 2 });
    await h.control('POST', '/__sim/limits/reset');
  });

  it('blocks a corp for the rest of the minute after the per-minute budget (45009)', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i += 1)
      codes.push((await h.api(token, '/cgi-bin/chatdata/get_corp_auth_info', {}))['errcode']);
    expect(codes).toEqual([0, 0, 0, 0, 0, 45009, 45009]);
    await h.control('POST', '/__sim/clock', { advanceSeconds: 61 });
    expect((await h.api(token, '/cgi-bin/chatdata/get_corp_auth_info', {}))['errcode']).toBe(0);
  });

  it('limits token-less sync_msg strictly (45009)', async () => {
    await h.readyCorp(0);
    const fresh = (await h.readyCorp(0)).token;
    const codes: number[] = [];
    for (let i = 0; i < 3; i += 1)
      codes.push((await h.api(fresh, '/cgi-bin/chatdata/sync_msg', { limit: 1 }))['errcode']);
    expect(codes).toEqual([0, 0, 45009]);
    await h.control('POST', '/__sim/limits/reset');
  });

  it('rejects calls over the concurrency threshold with 45033', async () => {
    await h.control('POST', '/__sim/faults', { path: USERS, delayMs: 300, times: 2 });
    const results = await Promise.all([1, 2, 3].map(() => h.api(token, USERS, {})));
    expect(results.map((r) => r['errcode']).sort()).toEqual([0, 0, 45033]);
    await h.control('DELETE', '/__sim/faults');
    await h.control('POST', '/__sim/limits/reset');
  });

  it('injects errcodes and HTTP statuses for the next N calls', async () => {
    await h.control('POST', '/__sim/faults', { path: '*', errcode: -1, times: 1 });
    expect((await h.api(token, USERS, {}))['errcode']).toBe(-1);
    expect((await h.api(token, USERS, {}))['errcode']).toBe(0);
    await h.control('POST', '/__sim/faults', { path: USERS, httpStatus: 502, times: 1 });
    const r = await h.postRaw(USERS, '{}', { access_token: token });
    expect(r.status).toBe(502);
    await h.control('POST', '/__sim/faults', { path: USERS, errcode: 45009, rate: 0 });
    expect((await h.api(token, USERS, {}))['errcode']).toBe(0);
    await h.control('DELETE', '/__sim/faults');
    // Scoped to a corp: another corp's call passes and leaves the fault for the named one.
    const otherCorp = (await h.corps())[1]!['corpId'];
    const otherToken = await h.corpToken(otherCorp);
    await h.control('POST', '/__sim/faults', { path: USERS, corpId, errcode: -1, times: 1 });
    expect((await h.api(otherToken, USERS, {}))['errcode']).toBe(0);
    expect((await h.api(token, USERS, {}))['errcode']).toBe(-1);
    expect((await h.api(token, USERS, {}))['errcode']).toBe(0);
    await h.control('POST', '/__sim/limits/reset');
  });

  it('rejects bad control input with 400 and a message', async () => {
    const f = await h.control('POST', '/__sim/faults', { path: USERS });
    expect(f.status).toBe(400);
    expect(f.json['error']).toMatch(/errcode, httpStatus, delayMs or responseLost/);
    expect((await h.control('POST', '/__sim/clock', { advanceSeconds: -5 })).status).toBe(400);
    expect((await h.control('POST', '/__sim/events', { type: 'nope' })).status).toBe(400);
    expect((await h.control('POST', '/__sim/messages', { corpId, count: 0 })).status).toBe(400);
    expect((await h.control('POST', '/__sim/messages', { corpId: 'wwnope', count: 1 })).status).toBe(404);
  });

  it('stop() returns promptly even with a delayed call in flight', async () => {
    const other = await startHarness();
    const t = await other.corpToken((await other.corps())[0]!['corpId']);
    await other.control('POST', '/__sim/faults', { path: USERS, delayMs: 60_000 });
    const pending = other.api(t, USERS, {}).catch((e: unknown) => e);
    await until(
      async () => (await other.control('GET', '/__sim/stats')).json['calls'][USERS] === 1,
      'the delayed call',
    );
    await other.sim.stop();
    await pending;
  });
});
