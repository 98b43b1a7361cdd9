import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Json, startHarness } from './simHarness.js';

const C = '/cgi-bin/chatdata';
const JSAPI = '/cgi-bin/get_jsapi_ticket';
const AGENT = '/cgi-bin/ticket/get';

describe('simulator JS-SDK tickets (docs/upstream.md §6.5)', () => {
  let h: Harness;
  /** JS-SDK tickets take the display app's corp token (docs/upstream.md §8.3). */
  let token: string;
  let archiveToken: string;
  let corpId: string;
  const get = async (path: string, query: Record<string, string>) =>
    (await fetch(`${h.url}${path}?${new URLSearchParams(query).toString()}`)).json() as Promise<Json>;

  beforeAll(async () => {
    h = await startHarness({ jsapiTicketTtlS: 60, agentTicketsPerHour: 3 });
    ({ token: archiveToken, corpId } = await h.readyCorp(0));
    token = await h.corpToken(corpId, 'display');
  });

  // The old simulator served tickets for the archive app's token, hiding that the gateway used
  // the wrong app; and the other way round the display app must not read the archive.
  it("refuses the other app's token both ways (48001)", async () => {
    const refused = await get(JSAPI, { access_token: archiveToken });
    expect(refused['errcode']).toBe(48001);
    expect(refused['errmsg']).toContain('needs a token of the display app');
    const archive = await h.api(token, `${C}/sync_msg`, { limit: 1 });
    expect(archive['errcode']).toBe(48001);
    expect(archive['errmsg']).toContain('needs a token of the 会话内容存档接口授权 (archive) app');
    expect((await get(JSAPI, { access_token: token }))['errcode']).toBe(0);
  });
  afterAll(() => h.sim.stop());

  it('issues corp and app tickets over GET with expires_in, counted in /__sim/stats', async () => {
    await h.control('POST', '/__sim/stats/reset');
    const corp = await get(JSAPI, { access_token: token });
    expect(corp).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 60 });
    expect(corp['ticket']).toMatch(/^[\w-]{20,}$/);
    const agent = await get(AGENT, { access_token: token, type: 'agent_config' });
    expect(agent).toMatchObject({ errcode: 0, expires_in: 60 });
    expect(agent['ticket']).not.toBe(corp['ticket']);
    const runtime = h.sim.state.corps.get(corpId)!;
    expect(runtime.jsapiTickets.has(corp['ticket'])).toBe(true);
    expect(runtime.agentTickets.has(agent['ticket'])).toBe(true);
    const { json } = await h.control('GET', '/__sim/stats');
    expect(json['calls']).toMatchObject({ [JSAPI]: 1, [AGENT]: 1 });
  });

  it('answers errors as the other endpoints do', async () => {
    expect((await get(JSAPI, {}))['errcode']).toBe(41001);
    expect((await get(JSAPI, { access_token: 'nope' }))['errcode']).toBe(40014);
    expect((await h.post(JSAPI, {}, { access_token: token }))['errcode']).toBe(43002);
    const badType = await get(AGENT, { access_token: token, type: 'jsapi' });
    expect(badType['errcode']).toBe(40058);
    expect(badType['errmsg']).toContain('type must be agent_config, got "jsapi"');
    await h.control('POST', '/__sim/faults', { path: JSAPI, errcode: -1, times: 1 });
    expect((await get(JSAPI, { access_token: token }))['errcode']).toBe(-1);
  });

  it('limits app tickets per hour (45009) and expires corp tokens like other calls (42001)', async () => {
    await h.control('POST', '/__sim/limits/reset');
    for (let i = 0; i < 3; i++) {
      expect((await get(AGENT, { access_token: token, type: 'agent_config' }))['errcode']).toBe(0);
    }
    expect((await get(AGENT, { access_token: token, type: 'agent_config' }))['errcode']).toBe(45009);
    await h.control('POST', '/__sim/clock', { advanceSeconds: 7300 });
    expect((await get(JSAPI, { access_token: token }))['errcode']).toBe(42001);
  });
});

describe('simulator specapi offline (docs/upstream.md §8.6)', () => {
  it('answers every specapi call with the offline error unless told otherwise', async () => {
    const h = await startHarness();
    try {
      const { token } = await h.readyCorp(0);
      for (const api of ['create_job', 'get_job_result']) {
        const r = await h.api(token, `${C}/specapi/${api}`, { jobid: 'x' });
        expect(r['errcode']).toBe(48002);
        expect(r['errmsg']).toContain('offline since 2024-06-06');
      }
    } finally {
      await h.sim.stop();
    }
  });
});

describe('simulator data zone jobs (specapi, docs/upstream.md §3.12)', () => {
  let h: Harness;
  let token: string;
  let keyOf: (m: Json) => string;
  let messages: Json[];
  let seq = 0;
  const customId = () => `cid-${seq++}`;
  const item = (m: Json, key = keyOf(m)) => ({ msgid: m['msgid'], encrypt_info: { secret_key: key } });
  const create = (body: Json) => h.api(token, `${C}/specapi/create_job`, body);
  const result = (jobid: string) => h.api(token, `${C}/specapi/get_job_result`, { jobid });

  beforeAll(async () => {
    h = await startHarness({ specapiPhaseMs: 60_000, specapi: 'online' });
    const ready = await h.readyCorp(0);
    token = ready.token;
    keyOf = (m) => ready.keys.decrypt(m['service_encrypt_info']['encrypted_secret_key']);
    messages = (await h.api(token, `${C}/sync_msg`, { limit: 1000 }))['msg_list'];
  });
  afterAll(() => h.sim.stop());

  it('runs a job: initialised → running → finished with word frequencies per chat', async () => {
    const texts = messages.filter((m) => m['msgtype'] === 1).slice(0, 8);
    const wrong = messages.find((m) => m['msgtype'] === 1 && !texts.includes(m))!;
    const created = await create({
      msg_filter: { msg_list: [...texts.map((m) => item(m)), item(wrong, 'wrong-key')] },
      custom_id: customId(),
      custom_data: '{"top":20}',
    });
    expect(created).toMatchObject({ errcode: 0 });
    const jobid = created['jobid'] as string;
    expect(await result(jobid)).toMatchObject({ errcode: 0, status: 0, dispatch_time: 0, progress: 0 });
    await h.control('POST', '/__sim/clock', { advanceSeconds: 90 });
    const running = await result(jobid);
    expect(running).toMatchObject({ status: 1, progress: 50 });
    expect(running['dispatch_time']).toBeGreaterThan(0);
    expect(running['result']).toBeUndefined();
    await h.control('POST', '/__sim/clock', { advanceSeconds: 60 });
    const done = await result(jobid);
    expect(done).toMatchObject({ status: 2, progress: 100, result: { job_type: 'word_frequency' } });
    const data = JSON.parse(done['result']['data']) as Json;
    expect(data['custom_data']).toBe('{"top":20}');
    expect(data['failed']).toEqual([{ msgid: wrong['msgid'], errcode: 710605 }]);
    const counted = data['chats'].reduce((n: number, c: Json) => n + c['messages'], 0);
    expect(counted).toBe(texts.length);
    const words = data['chats'].flatMap((c: Json) => c['words']);
    expect(words.length).toBeGreaterThan(0);
    for (const w of words) expect(w).toEqual({ word: expect.any(String), count: expect.any(Number) });
  });

  it('rejects a bad request as a whole, with the contract codes', async () => {
    const m = messages[0]!;
    const one = item(m); // decrypting a key is slow (forge RSA); reuse it
    const cases: [Json, number][] = [
      [{ custom_id: customId() }, 40058],
      [{ msg_filter: { msg_list: [] }, custom_id: customId() }, 40058],
      [{ msg_filter: { msg_list: [one] } }, 40058],
      [{ msg_filter: { msg_list: [one] }, custom_id: 'x'.repeat(129) }, 40058],
      [{ msg_filter: { msg_list: [one] }, custom_id: customId(), custom_data: 'd'.repeat(1025) }, 40058],
      [
        {
          msg_filter: { msg_list: [{ msgid: 'nope', encrypt_info: { secret_key: 'k' } }] },
          custom_id: customId(),
        },
        710601,
      ],
      [{ msg_filter: { msg_list: [one, one] }, custom_id: customId() }, 710613],
      [{ msg_filter: { msg_list: [{ msgid: m['msgid'] }] }, custom_id: customId() }, 710603],
      [{ msg_filter: { msg_list: Array.from({ length: 1001 }, () => one) }, custom_id: customId() }, 710623],
    ];
    for (const [body, errcode] of cases)
      expect((await create(body))['errcode'], JSON.stringify(body).slice(0, 80)).toBe(errcode);
    expect((await result('sj-unknown'))['errcode']).toBe(40088);
  });

  it('refuses a reused custom_id (710626) and an 11th unfinished job (45033)', async () => {
    await h.control('POST', '/__sim/clock', { advanceSeconds: 600 });
    const body = (id: string) => ({ msg_filter: { msg_list: [item(messages[0]!)] }, custom_id: id });
    expect((await create(body('dedupe-me')))['errcode']).toBe(0);
    const again = await create(body('dedupe-me'));
    expect(again['errcode']).toBe(710626);
    expect(again['errmsg']).toContain('custom_id already exists');
    for (let i = 0; i < 9; i++) expect((await create(body(customId())))['errcode']).toBe(0);
    expect((await create(body(customId())))['errcode']).toBe(45033);
    await h.control('POST', '/__sim/clock', { advanceSeconds: 121 });
    expect((await create(body(customId())))['errcode']).toBe(0);
  });

  it("keeps jobs per corp: another corp's token cannot read them (40088)", async () => {
    const created = await create({ msg_filter: { msg_list: [item(messages[1]!)] }, custom_id: customId() });
    const other = await h.readyCorp(1);
    const read = await h.api(other.token, `${C}/specapi/get_job_result`, { jobid: created['jobid'] });
    expect(read['errcode']).toBe(40088);
  });
});
