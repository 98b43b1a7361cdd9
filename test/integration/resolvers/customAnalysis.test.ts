import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchivedMessage } from '../../../src/datasources/store/ports.js';
import { gqlErrors, type Json } from '../../helpers/graphqlCall.js';
import { archiveAll, type Stack, startStack } from '../../helpers/startStack.js';

const START = `mutation($c: String!, $ids: [ID!]!, $cid: String, $data: String, $type: AnalysisType! = CUSTOM) {
  startAnalysis(corpId: $c, type: $type, messageIds: $ids, customId: $cid, customData: $data) {
    id jobId type customId customData status progress dispatchedAt customResult { jobType data } } }`;
const READ = `query($id: ID!) { node(id: $id) { ... on AnalysisTask {
  type status progress dispatchedAt customId customData results { messageId } summary { resultId }
  customResult { jobType data } } } }`;
const CREATE = '/cgi-bin/chatdata/specapi/create_job';

describe('CUSTOM analysis now that specapi is offline upstream (issue 11, point 9)', () => {
  let stack: Stack;
  let corpId: string;
  afterAll(async () => {
    await stack?.stop();
  });

  it('is off by default: CUSTOM_ANALYSIS_DISABLED before any upstream call; deprecated in the schema', async () => {
    stack = await startStack();
    corpId = stack.corps[0]!.corpId;
    const msgid = stack.sim.state.corps.get(corpId)!.messages[0]!.msgid;
    const { errors } = await gqlErrors(stack.client(), START, { c: corpId, ids: [msgid], cid: 'x' });
    expect(errors[0]!.extensions).toMatchObject({ code: 'CUSTOM_ANALYSIS_DISABLED' });
    expect(errors[0]!.message).toContain('WECOM_SPECAPI=off');
    expect(errors[0]!.message).toContain('offline upstream since 2024-06-06');
    const stats = await stack.simGet<{ calls: Record<string, number> }>('/__sim/stats');
    expect(stats.calls[CREATE]).toBeUndefined();
    const introspection = await stack
      .client()
      .request<Json>(
        '{ __type(name: "AnalysisType") { enumValues(includeDeprecated: true) { name isDeprecated deprecationReason } } }',
      );
    expect(introspection.__type.enumValues).toContainEqual({
      name: 'CUSTOM',
      isDeprecated: true,
      deprecationReason: expect.stringContaining('offline upstream since 2024-06-06'),
    });
  });

  it('switched on against an upstream that has it offline: SPECAPI_OFFLINE', async () => {
    await stack.stop();
    stack = await startStack({ env: { WECOM_SPECAPI: 'on' } });
    corpId = stack.corps[0]!.corpId;
    const archived = await archiveAll(stack, corpId);
    const { errors } = await gqlErrors(stack.client(), START, {
      c: corpId,
      ids: [archived[0]!.msgid],
      cid: 'x',
    });
    expect(errors[0]!.extensions).toMatchObject({
      code: 'SPECAPI_OFFLINE',
      errcode: 48002,
      retryable: false,
    });
    expect(errors[0]!.message).toContain('offline upstream since 2024-06-06');
  });
});

describe('custom analysis in the data zone (AnalysisTask type CUSTOM over specapi)', () => {
  let stack: Stack;
  let corpId: string;
  let archived: ArchivedMessage[];

  beforeAll(async () => {
    stack = await startStack({
      // The old world, kept behind the switch on both sides.
      env: { WECOM_SPECAPI: 'on' },
      sim: { specapiPhaseMs: 60_000, specapi: 'online' },
      clients: [{ id: 'r', key: 'r-key', corps: ['*'], scopes: ['corp:read'] }],
    });
    corpId = stack.corps[0]!.corpId;
    archived = await archiveAll(stack, corpId);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('starts a job with the decrypted keys, then reports progress and the zone program result', async () => {
    const chosen = archived.filter((m) => m.msgtype === 1).slice(0, 6);
    await stack.simPost('/__sim/stats/reset');
    const started = await stack.client().request<Json>(START, {
      c: corpId,
      ids: chosen.map((m) => m.msgid),
      cid: 'weekly-words-1',
      data: '{"report":"weekly"}',
    });
    const task = started.startAnalysis;
    expect(task).toMatchObject({
      type: 'CUSTOM',
      customId: 'weekly-words-1',
      customData: '{"report":"weekly"}',
      status: 'RUNNING',
      progress: 0,
      dispatchedAt: null,
      customResult: null,
    });
    const stats = await stack.simGet<{ calls: Record<string, number> }>('/__sim/stats');
    expect(stats.calls[CREATE]).toBe(1);
    const job = stack.sim.state.specJobs.get(task.jobId)!;
    const runtime = stack.sim.state.corps.get(corpId)!;
    // The keys sent are the real per-message keys (the zone could decrypt every message).
    expect(job.items).toEqual(
      chosen.map((m) => ({ msgid: m.msgid, secretKey: runtime.byId.get(m.msgid)!.secretKey })),
    );

    await stack.simPost('/__sim/clock', { advanceSeconds: 90 });
    const running = (await stack.client().request<Json>(READ, { id: task.id })).node;
    expect(running).toMatchObject({
      status: 'RUNNING',
      progress: 50,
      customResult: null,
      results: [],
      summary: null,
    });
    expect(Date.parse(running.dispatchedAt)).toBeGreaterThan(0);

    await stack.simPost('/__sim/clock', { advanceSeconds: 60 });
    const done = (await stack.client().request<Json>(READ, { id: task.id })).node;
    expect(done).toMatchObject({
      status: 'DONE',
      progress: 100,
      customResult: { jobType: 'word_frequency' },
    });
    const data = JSON.parse(done.customResult.data) as Json;
    expect(data.failed).toEqual([]);
    expect(data.custom_data).toBe('{"report":"weekly"}');
    expect(data.chats.reduce((n: number, c: Json) => n + c.messages, 0)).toBe(chosen.length);
  });

  it('validates before any upstream call, and turns a reused customId into BAD_USER_INPUT', async () => {
    const ids = [archived[0]!.msgid];
    await stack.simPost('/__sim/stats/reset');
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ ids }, 'customId', /^customId is required for type CUSTOM/],
      [{ ids, cid: '' }, 'customId', /^customId must be 1\.\.128 bytes \(UTF-8\), got ""/],
      [
        { ids, cid: '报'.repeat(43) },
        'customId',
        /^customId must be 1\.\.128 bytes \(UTF-8\), got .* \(129 bytes\)/,
      ],
      [
        { ids, cid: 'ok', data: 'd'.repeat(1025) },
        'customData',
        /^customData must be at most 1024 bytes \(UTF-8\), got 1025 bytes/,
      ],
      [{ ids: [], cid: 'ok' }, 'messageIds', /^messageIds must hold 1\.\.1000 entries, got 0/],
      [{ ids: ['nope'], cid: 'ok' }, 'messageIds.0', /^messageIds must be messages archived for corp/],
      [{ ids, cid: 'x', type: 'SPAM' }, 'customId', /^customId is only for type CUSTOM, got type SPAM/],
    ];
    for (const [vars, field, message] of cases) {
      const { errors } = await gqlErrors(stack.client(), START, { c: corpId, ...vars });
      expect(errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(errors[0]!.message).toMatch(message);
    }
    const stats = await stack.simGet<{ calls: Record<string, number> }>('/__sim/stats');
    expect(stats.calls[CREATE]).toBeUndefined();

    await stack.client().request(START, { c: corpId, ids, cid: 'once-only' });
    const { errors } = await gqlErrors(stack.client(), START, { c: corpId, ids, cid: 'once-only' });
    expect(errors[0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'customId',
      value: 'once-only',
    });
    expect(errors[0]!.message).toContain('customId must be unique per provider (upstream 710626)');
  });

  it('needs analysis:write', async () => {
    const { errors } = await gqlErrors(stack.client('r-key'), START, { c: corpId, ids: ['m'], cid: 'x' });
    expect(errors[0]!.extensions).toMatchObject({ code: 'FORBIDDEN', scope: 'analysis:write' });
  });
});
