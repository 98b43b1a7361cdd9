import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlErrors, type Json } from '../../helpers/graphqlCall.js';
import { metricValue } from '../../helpers/metricValue.js';
import { postCreateExport } from '../../helpers/postCreateExport.js';
import { ADMIN_KEY, archiveAll, type Stack, startStack } from '../../helpers/startStack.js';
import { waitFor } from '../../helpers/waitFor.js';

// Issue 11, point 4: the simulator carries out a call and then drops the connection without an
// answer (responseLost); the gateway must not repeat it blindly, and reconciles where it can.
const CREATE_RULE = `mutation($c: String!) { createKeywordRule(corpId: $c, input: {
  name: "报价提醒", keywords: ["报价", "折扣"] }) { ruleId name } }`;
const START = `mutation($c: String!, $ids: [ID!]!) {
  startAnalysis(corpId: $c, type: SENTIMENT, messageIds: $ids) { jobId status } }`;
const CORP = `query($c: String!) { corp(corpId: $c) { corpId authorization { status needsPermanentCodeReset } } }`;

describe('state-changing calls whose answer is lost', () => {
  let stack: Stack;
  let corpId: string;
  const lose = (path: string) => stack.simPost('/__sim/faults', { path, responseLost: true, times: 1 });

  beforeAll(async () => {
    // Retries on: the old gateway repeated a call whose connection dropped; now it must not.
    stack = await startStack({ env: { UPSTREAM_RETRIES: '2' } });
    corpId = stack.corps[0]!.corpId;
  });
  afterAll(async () => stack?.stop());

  it('createKeywordRule: the rule list is read back, and the rule exists once', async () => {
    await lose('/cgi-bin/chatdata/keyword/create_rule');
    const { createKeywordRule: rule } = await stack.client().request<Json>(CREATE_RULE, { c: corpId });
    const rules = [...stack.sim.state.corps.get(corpId)!.rules.values()].filter((r) => r.name === '报价提醒');
    expect(rules.map((r) => r.ruleId)).toEqual([rule.ruleId]);
    const calls = (await stack.simGet<{ calls: Record<string, number> }>('/__sim/stats')).calls;
    expect(calls['/cgi-bin/chatdata/keyword/create_rule']).toBe(1);
  });

  it('startAnalysis: a submit whose answer was lost is asked again, and 710617 settles it', async () => {
    const texts = (await archiveAll(stack, corpId)).filter((m) => m.msgtype === 1).slice(0, 3);
    await lose('/cgi-bin/chatdata/analyze_task_submit');
    const { startAnalysis } = await stack
      .client()
      .request<Json>(START, { c: corpId, ids: texts.map((m) => m.msgid) });
    const job = stack.sim.state.corps.get(corpId)!.analysis.get(startAnalysis.jobId)!;
    expect(job.submittedAtMs).not.toBeNull();
    expect(job.items.map((i) => i.msgid)).toEqual(texts.map((m) => m.msgid));
  });

  it('createExport: the code is used by the lost call; the caller is told what to do, and the job is adopted', async () => {
    const { code } = await stack.simPost<{ code: string }>('/__sim/export-code', { corpId });
    await lose('/cgi-bin/chatdata/export/create_job');
    const body = await postCreateExport(stack.graphqlUrl, ADMIN_KEY, corpId, code);
    expect(body.errors[0].extensions).toMatchObject({ code: 'UPSTREAM_OUTCOME_UNKNOWN', retryable: false });
    expect(body.errors[0].message).toContain('Do not ask the user for a new export code yet');
    const jobs = [...stack.sim.state.corps.get(corpId)!.exports.keys()];
    expect(jobs).toHaveLength(1);
    // WeCom's export-finished event names the job: the gateway records it like its own.
    await waitFor('the export job adopted', async () =>
      stack.app.datasources.tasks.getExport(corpId, jobs[0]!),
    );
  });

  it('createExport: a template upload whose answer was lost is uploaded once more; the job gets the one media id', async () => {
    const { code } = await stack.simPost<{ code: string }>('/__sim/export-code', { corpId });
    const runtime = stack.sim.state.corps.get(corpId)!;
    const mediaBefore = new Set(runtime.media.keys());
    const jobsBefore = new Set(runtime.exports.keys());
    const calls = async () => (await stack.simGet<{ calls: Record<string, number> }>('/__sim/stats')).calls;
    const before = await calls();
    await lose('/cgi-bin/media/upload');
    const body = await postCreateExport(stack.graphqlUrl, ADMIN_KEY, corpId, code);
    expect(body.errors).toBeUndefined();
    // Upstream holds two uploads: the lost one (never returned to anyone, it expires in 3 days)
    // and the repeat, whose media id is the only one the gateway saw and used.
    const uploads = [...runtime.media.keys()].filter((id) => !mediaBefore.has(id));
    expect(uploads).toHaveLength(2);
    const jobs = [...runtime.exports.values()].filter((j) => !jobsBefore.has(j.jobId));
    expect(jobs.map((j) => [j.jobId, j.mediaId])).toEqual([[body.data.createExport.jobId, uploads[1]]]);
    const after = await calls();
    const delta = (path: string) => (after[path] ?? 0) - (before[path] ?? 0);
    expect(delta('/cgi-bin/media/upload')).toBe(2);
    expect(delta('/cgi-bin/chatdata/export/create_job')).toBe(1);
  });

  it('get_permanent_code: a lost authorization is counted, the corp shown as needing a reset, and reset repairs it', async () => {
    const lostCorp = stack.corps[1]!.corpId;
    // A corp the gateway does not know yet: cancelled (confirmed upstream), then authorizing anew.
    await stack.simPost('/__sim/events', { type: 'cancel_auth', corpId: lostCorp });
    await waitFor('cancelled', async () => (await stack.app.datasources.corps.get(lostCorp)) === null);
    await lose('/cgi-bin/service/get_permanent_code');
    await stack.simPost('/__sim/events', { type: 'create_auth', corpId: lostCorp });
    await waitFor(
      'the lost authorization counted',
      async () =>
        (await metricValue(
          stack.gatewayUrl,
          'wag_onboarding_events_total{app="archive",kind="authorization_lost"}',
        )) === 1,
    );
    // Given up for good (asking again only says "used code"), and counted, not dropped silently.
    await waitFor(
      'the create_auth failure counted',
      async () =>
        (await metricValue(
          stack.gatewayUrl,
          'wag_callback_events_failed_total{info_type="create_auth",code="AUTHORIZATION_LOST"}',
        )) === 1,
    );
    expect(await stack.app.datasources.corps.get(lostCorp)).toBeNull();

    // The corp's next event names it: it is listed, marked as needing reset_permanent_code.
    await stack.simPost('/__sim/events', { type: 'change_auth', corpId: lostCorp });
    await waitFor(
      'marked',
      async () => (await stack.app.datasources.corps.get(lostCorp))?.needsPermanentCodeReset,
    );
    const marked = await stack.client().request<Json>(CORP, { c: lostCorp });
    expect(marked.corp.authorization).toEqual({ status: 'ACTIVE', needsPermanentCodeReset: true });

    // What the on-call engineer triggers in the provider console.
    await stack.simPost('/__sim/events', { type: 'reset_permanent_code', corpId: lostCorp });
    await waitFor(
      'onboarded with a key',
      async () => (await stack.app.datasources.keys.current(lostCorp)) !== null,
    );
    const repaired = await stack.client().request<Json>(CORP, { c: lostCorp });
    expect(repaired.corp.authorization).toEqual({ status: 'ACTIVE', needsPermanentCodeReset: false });
    const made = await stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId: lostCorp, count: 2 });
    await waitFor('archive flowing', async () =>
      (await stack.app.ingest.index.getMany(lostCorp, made.msgids)).every((m) => m !== null),
    );
  });

  it('names the unknown outcome when a reconcile cannot settle it (two lost answers in a row)', async () => {
    await stack.simPost('/__sim/faults', {
      path: '/cgi-bin/chatdata/analyze_task_submit',
      responseLost: true,
      times: 2,
    });
    const texts = (await archiveAll(stack, corpId)).filter((m) => m.msgtype === 1).slice(3, 5);
    const { errors } = await gqlErrors(stack.client(), START, { c: corpId, ids: texts.map((m) => m.msgid) });
    expect(errors[0]!.extensions).toMatchObject({
      code: 'UPSTREAM_OUTCOME_UNKNOWN',
      path: '/cgi-bin/chatdata/analyze_task_submit',
      retryable: false,
    });
    expect(errors[0]!.message).toContain('may have taken effect upstream');
  });
});
