import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectExactlyOnce } from '../../helpers/archiveCheck.js';
import { gqlErrors, type Json } from '../../helpers/graphqlCall.js';
import { metricValue } from '../../helpers/metricValue.js';
import { type Stack, startStack } from '../../helpers/startStack.js';
import { waitFor } from '../../helpers/waitFor.js';

// Issue 11, point 6: upstream limits as documented, and no event lost to a throttle.
const SYNC = '/cgi-bin/chatdata/sync_msg';
const FAILURE = `query($c: String!) { corp(corpId: $c) { lastEventFailure { infoType code message } } }`;
const CREATE_RULE = `mutation($c: String!, $users: [String!]) { createKeywordRule(corpId: $c, input: {
  name: "范围", keywords: ["x"], applicableRange: { userIds: $users } }) { ruleId } }`;

describe('upstream limits and throttles', () => {
  let stack: Stack;
  const calls = async () => (await stack.simGet<{ calls: Record<string, number> }>('/__sim/stats')).calls;
  const indexedAll = (corpId: string, msgids: string[]) =>
    waitFor(`${msgids.length} messages indexed`, async () =>
      (await stack.app.ingest.index.getMany(corpId, msgids)).every((m) => m !== null),
    );

  beforeAll(async () => {
    stack = await startStack({
      // WeCom's 60 s block and the inbox's 30 s redelivery, shortened so the test waits seconds.
      env: { UPSTREAM_RATE_LIMIT_BLOCK_S: '1', INGEST_REDELIVER_S: '1' },
      // A response cap 1000 records always exceed: every page meets 301058 first.
      sim: { syncMaxResponseBytes: 60_000, tokenlessSyncPerMinute: 10_000 },
    });
  });
  afterAll(async () => stack?.stop());

  it('301058: the page is asked again with half the limit, the archive is complete, the callback token kept', async () => {
    const corpId = stack.corps[0]!.corpId;
    await expectExactlyOnce(stack.app.ingest.index, stack.sim, corpId);
    expect(
      await metricValue(stack.gatewayUrl, `wag_upstream_calls_total{path="${SYNC}",result="301058"}`),
    ).toBeGreaterThan(0);
    const made = await stack.simPost<{ msgids: string[]; token: string }>('/__sim/messages', {
      corpId,
      count: 300,
    });
    await indexedAll(corpId, made.msgids);
    // The old loop dropped the token on 301058 and fell back to the strict token-less limit.
    expect(await stack.app.ingest.syncState.token(corpId)).toBe(made.token);
    await expectExactlyOnce(stack.app.ingest.index, stack.sim, corpId);
  });

  // Tried as a new user would: two 45009s on sync_msg froze a corp for 28 minutes.
  it('two 45009s on sync_msg block for the block time from each hit, never an hour; the event is kept', async () => {
    const corpId = stack.corps[1]!.corpId;
    await stack.simPost('/__sim/faults', { path: SYNC, corpId, errcode: 45009, times: 2 });
    const made = await stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId, count: 5 });
    await indexedAll(corpId, made.msgids);
    expect(
      await metricValue(stack.gatewayUrl, `wag_upstream_calls_total{path="${SYNC}",result="45009"}`),
    ).toBe(2);
  });

  // ... and two on get_permanent_code blocked every onboarding; the create_auth was dropped after 5 deliveries.
  it('two 45009s on get_permanent_code: the create_auth waits and is redeemed', async () => {
    const corpId = stack.corps[2]!.corpId;
    const before = await stack.app.datasources.corps.getPermanentCode(corpId);
    const okBefore = await metricValue(
      stack.gatewayUrl,
      'wag_upstream_calls_total{path="/cgi-bin/service/get_permanent_code",result="ok"}',
    );
    await stack.simPost('/__sim/faults', {
      path: '/cgi-bin/service/get_permanent_code',
      errcode: 45009,
      times: 2,
    });
    await stack.simPost('/__sim/events', { type: 'create_auth', corpId });
    await waitFor(
      're-authorized',
      async () => (await stack.app.datasources.corps.getPermanentCode(corpId)) !== before,
    );
    // Both 45009s were really served, and then the code was redeemed with the third call.
    const redeem = (result: string) =>
      metricValue(
        stack.gatewayUrl,
        `wag_upstream_calls_total{path="/cgi-bin/service/get_permanent_code",result="${result}"}`,
      );
    expect(await redeem('45009')).toBe(2);
    expect(await redeem('ok')).toBe(okBefore + 1);
    expect(
      await metricValue(stack.gatewayUrl, 'wag_callback_events_failed_total{info_type="create_auth"'),
    ).toBe(0);
  });

  it('a failure for good is visible on Corp and in metrics', async () => {
    const corpId = stack.corps[1]!.corpId;
    // 301053: the archive service is not enabled for the corp — retrying does not change that.
    // Scoped to this corp: a watchdog or onboarding sync of another corp must not take the fault.
    await stack.simPost('/__sim/faults', { path: SYNC, corpId, errcode: 301053, times: 1 });
    await stack.simPost('/__sim/messages', { corpId, count: 1 });
    await waitFor(
      'the failure recorded',
      async () => (await stack.app.datasources.corps.get(corpId))?.lastEventFailure,
    );
    const { corp } = await stack.client().request<Json>(FAILURE, { c: corpId });
    expect(corp.lastEventFailure).toMatchObject({
      infoType: 'conversation_new_message',
      code: 'UPSTREAM_ERROR',
    });
    expect(corp.lastEventFailure.message).toContain('301053');
    expect(
      await metricValue(
        stack.gatewayUrl,
        'wag_callback_events_failed_total{info_type="conversation_new_message",code="UPSTREAM_ERROR"}',
      ),
    ).toBe(1);
  });

  it('keyword rule ranges: more than 100 entries is BAD_USER_INPUT before any upstream call', async () => {
    const corpId = stack.corps[0]!.corpId;
    const before = (await calls())['/cgi-bin/chatdata/keyword/create_rule'] ?? 0;
    const users = Array.from({ length: 101 }, (_, i) => `wo${i}`);
    const { errors } = await gqlErrors(stack.client(), CREATE_RULE, { c: corpId, users });
    expect(errors[0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.applicableRange.userIds',
    });
    expect(errors[0]!.message).toBe('applicableRange.userIds must hold 0..100 entries, got 101');
    expect((await calls())['/cgi-bin/chatdata/keyword/create_rule'] ?? 0).toBe(before);
  });
});
