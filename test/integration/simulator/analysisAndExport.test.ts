import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Json, startHarness } from './simHarness.js';

const C = '/cgi-bin/chatdata';

describe('simulator analysis and export jobs (docs/upstream.md §3.8, §3.9)', () => {
  let h: Harness;
  let token: string;
  let corpId: string;
  let decrypt: (b64: string) => string;
  let messages: Json[];
  const keyOf = (m: Json) => decrypt(m['service_encrypt_info']['encrypted_secret_key']);
  beforeAll(async () => {
    h = await startHarness({ analysisMs: 1000, exportPhaseMs: 1000 });
    const ready = await h.readyCorp(0);
    ({ token, corpId } = ready);
    decrypt = ready.keys.decrypt;
    messages = (await h.api(token, `${C}/sync_msg`, { limit: 1000 }))['msg_list'];
  });
  afterAll(() => h.sim.stop());

  it('runs a sentiment job: add → submit → running → done, computed from the text', async () => {
    const texts = messages.filter((m) => m['msgtype'] === 1).slice(0, 5);
    const image = messages.find((m) => m['msgtype'] === 2)!;
    const list = [...texts, image].map((m) => ({
      msgid: m['msgid'],
      encrypt_info: { secret_key: keyOf(m) },
    }));
    list.push({ msgid: texts[0]!['msgid'], encrypt_info: { secret_key: 'dup' } });
    list.push({ msgid: 'no-such-msg', encrypt_info: { secret_key: 'x' } });
    const added = await h.api(token, `${C}/analyze_task_add`, { analyze_task: 1, msg_list: list });
    expect(added['errcode']).toBe(0);
    expect(added['fail_list'].map((f: Json) => f['errcode']).sort()).toEqual([710601, 710613]);
    const jobid = added['jobid'];
    expect((await h.api(token, `${C}/analyze_task_result`, { jobid }))['errcode']).toBe(710618);
    expect(
      (await h.api(token, `${C}/analyze_task_add`, { analyze_task: 2, jobid, msg_list: list.slice(0, 1) }))[
        'errcode'
      ],
    ).toBe(710616);
    const wrongKey = { msgid: texts[1]!['msgid'], encrypt_info: { secret_key: 'wrong' } };
    expect((await h.api(token, `${C}/analyze_task_submit`, { jobid }))['errcode']).toBe(0);
    expect((await h.api(token, `${C}/analyze_task_submit`, { jobid }))['errcode']).toBe(710617);
    expect(
      (await h.api(token, `${C}/analyze_task_add`, { analyze_task: 1, jobid, msg_list: [wrongKey] }))[
        'errcode'
      ],
    ).toBe(710617);
    expect((await h.api(token, `${C}/analyze_task_result`, { jobid }))['status']).toBe(0);
    await h.control('POST', '/__sim/clock', { advanceSeconds: 2 });
    const done = await h.api(token, `${C}/analyze_task_result`, { jobid });
    expect(done['status']).toBe(1);
    expect(done['analyze_result_list']).toHaveLength(6);
    const byId = new Map(done['analyze_result_list'].map((r: Json) => [r['msgid'], r]));
    expect((byId.get(image['msgid']) as Json)['errcode']).toBe(710602);
    for (const t of texts) expect([0, 1, 2]).toContain((byId.get(t['msgid']) as Json)['sentiment_result']);
    expect((await h.api(token, `${C}/analyze_task_result`, { jobid: 'nope' }))['errcode']).toBe(40088);
  });

  it('fails messages with a wrong secret key (710605) and caps a job at 1000 messages (710623)', async () => {
    const text = messages.find((m) => m['msgtype'] === 1)!;
    const added = await h.api(token, `${C}/analyze_task_add`, {
      analyze_task: 2,
      msg_list: [{ msgid: text['msgid'], encrypt_info: { secret_key: 'wrong' } }],
    });
    await h.api(token, `${C}/analyze_task_submit`, { jobid: added['jobid'] });
    await h.control('POST', '/__sim/clock', { advanceSeconds: 2 });
    const r = await h.api(token, `${C}/analyze_task_result`, { jobid: added['jobid'] });
    expect(r['status']).toBe(2);
    expect(r['analyze_result_list'][0]['errcode']).toBe(710605);
    const many = Array.from({ length: 1001 }, (_, i) => ({
      msgid: `m${i}`,
      encrypt_info: { secret_key: 'k' },
    }));
    expect(
      (await h.api(token, `${C}/analyze_task_add`, { analyze_task: 1, msg_list: many }))['errcode'],
    ).toBe(710623);
    expect(
      (await h.api(token, `${C}/analyze_task_add`, { analyze_task: 4, msg_list: many.slice(0, 1) }))[
        'errcode'
      ],
    ).toBe(710625);
  });

  it('summarises (type 3) into an encrypted result the render stand-in shows', async () => {
    const texts = messages.filter((m) => m['msgtype'] === 1).slice(0, 3);
    const added = await h.api(token, `${C}/analyze_task_add`, {
      analyze_task: 3,
      msg_list: texts.map((m) => ({ msgid: m['msgid'], encrypt_info: { secret_key: keyOf(m) } })),
    });
    await h.api(token, `${C}/analyze_task_submit`, { jobid: added['jobid'] });
    await h.control('POST', '/__sim/clock', { advanceSeconds: 2 });
    const r = await h.api(token, `${C}/analyze_task_result`, { jobid: added['jobid'] });
    const { result_id, service_encrypt_info } = r['analyze_result'];
    const secret = keyOf({ service_encrypt_info });
    const shown = await h.control(
      'GET',
      `/__sim/render?result_id=${result_id}&secret_key=${encodeURIComponent(secret)}`,
    );
    expect(shown.status).toBe(200);
    expect(typeof shown.json['content']['summary']).toBe('string');
  });

  it('exports: media upload, single-use code, waiting → running → done', async () => {
    const form = new FormData();
    form.append('media', new Blob(['$msgContent=m/k$']), 'template.txt');
    const up = await fetch(`${h.url}/cgi-bin/media/upload?access_token=${token}&type=file`, {
      method: 'POST',
      body: form,
    });
    const media = (await up.json()) as Json;
    expect(media).toMatchObject({
      errcode: 0,
      errmsg: 'ok',
      type: 'file',
      media_id: expect.any(String),
      created_at: expect.any(String),
    });
    const code = (await h.control('POST', '/__sim/export-code', { corpId })).json['code'];
    const job = await h.api(token, `${C}/export/create_job`, { code, media_id: media['media_id'] });
    expect(job['errcode']).toBe(0);
    expect(
      (await h.api(token, `${C}/export/create_job`, { code, media_id: media['media_id'] }))['errcode'],
    ).toBe(42022);
    expect(
      (await h.api(token, `${C}/export/create_job`, { code: 'nope', media_id: media['media_id'] }))[
        'errcode'
      ],
    ).toBe(42003);
    const code2 = (await h.control('POST', '/__sim/export-code', { corpId })).json['code'];
    expect((await h.api(token, `${C}/export/create_job`, { code: code2, media_id: 'nope' }))['errcode']).toBe(
      40007,
    );
    const status = () => h.api(token, `${C}/export/get_job_status`, { jobid: job['jobid'] });
    expect((await status())['status']).toBe(1);
    await h.control('POST', '/__sim/clock', { advanceSeconds: 1 });
    expect((await status())['status']).toBe(2);
    await h.control('POST', '/__sim/clock', { advanceSeconds: 1 });
    expect(await status()).toMatchObject({
      status: 3,
      result_id: expect.any(String),
      result_errcode: 0,
      result_errmsg: 'ok',
    });
    expect((await h.api(token, `${C}/export/get_job_status`, { jobid: 'nope' }))['errcode']).toBe(40088);
  });
});
