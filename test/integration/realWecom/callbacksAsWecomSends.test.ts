import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator } from '../../../simulator/createSimulator.js';
import type { Json } from '../../helpers/graphqlCall.js';
import { metricValue } from '../../helpers/metricValue.js';
import { type Stack, startStack } from '../../helpers/startStack.js';
import { TEST_APPS_SIM } from '../../helpers/testApps.js';
import { waitFor } from '../../helpers/waitFor.js';

// Issue 11, points 1, 2 and 8: the real gateway against the simulator over HTTP.
type Stats = {
  calls: Record<string, number>;
  urlVerification: { ok: number; failed: number; last: { receiveId: string } | null };
  callbacks: { byInfoType: Record<string, { ok: number; failed: number }> };
};

const AUTHORIZATION = `query($c: String!) { corp(corpId: $c) { authorization {
  status archiveEdition archiveExpiry { kind at } needsPermanentCodeReset } } }`;

describe('callbacks as WeCom sends them', () => {
  let stack: Stack;
  let corpId: string;
  const stats = () => stack.simGet<Stats>('/__sim/stats');
  const delivered = async (infoType: string, n: number) =>
    waitFor(
      `${n} ${infoType} acknowledged`,
      async () => ((await stats()).callbacks.byInfoType[infoType]?.ok ?? 0) >= n,
    );

  beforeAll(async () => {
    stack = await startStack();
    corpId = stack.corps[0]!.corpId;
  });
  afterAll(async () => stack?.stop());

  it('passes the URL verification WeCom sends when the URL is saved (receiveid = provider corpid)', async () => {
    const { urlVerification } = await stats();
    expect(urlVerification).toMatchObject({ ok: 1, failed: 0 });
    expect(urlVerification.last?.receiveId).toBe(TEST_APPS_SIM.providerCorpId);
  });

  it('refuses a URL verification for another provider corpid', async () => {
    const other = createSimulator({
      ...TEST_APPS_SIM,
      port: 0,
      messageRate: 0,
      providerCorpId: 'wwsomeotherprovider',
      callbackUrl: `${stack.gatewayUrl}/wecom/callback`,
    });
    try {
      const [result] = await other.verifyCallbackUrl();
      expect(result).toMatchObject({ ok: false, status: 400 });
      expect(result!.error).toContain('BAD_CIPHERTEXT');
    } finally {
      await other.stop();
    }
  });

  it('acts on the expiry events (nested <ChatArchiveApi><Edition>): edition and expiry on Corp', async () => {
    await stack.simPost('/__sim/events', { type: 'trial_expired', corpId, edition: 2 });
    await waitFor(
      'trial expiry on the corp',
      async () => (await stack.app.datasources.corps.get(corpId))?.archiveExpiry,
    );
    const trial = await stack.client().request<Json>(AUTHORIZATION, { c: corpId });
    expect(trial.corp.authorization).toMatchObject({
      status: 'ACTIVE',
      archiveEdition: 2,
      archiveExpiry: { kind: 'TRIAL' },
      needsPermanentCodeReset: false,
    });
    await stack.simPost('/__sim/events', { type: 'advanced_api_expired', corpId, edition: 3 });
    await waitFor(
      'paid expiry on the corp',
      async () => (await stack.app.datasources.corps.get(corpId))?.archiveExpiry?.kind === 'PAID',
    );
    const paid = await stack.client().request<Json>(AUTHORIZATION, { c: corpId });
    expect(paid.corp.authorization).toMatchObject({ archiveEdition: 3, archiveExpiry: { kind: 'PAID' } });
  });

  it('acknowledges an InfoType it does not know, and counts it', async () => {
    await stack.simPost('/__sim/events', {
      type: 'custom',
      infoType: 'change_contact',
      fields: { AuthCorpId: corpId, ChangeType: 'create_user' },
    });
    await delivered('change_contact', 1);
    expect((await stats()).callbacks.byInfoType['change_contact']).toEqual({ ok: 1, failed: 0 });
    expect(
      await metricValue(
        stack.gatewayUrl,
        'wag_callback_events_ignored_total{info_type="change_contact",reason="unknown_info_type"}',
      ),
    ).toBe(1);
  });

  it('acknowledges a well-signed event with a field off the contract, acting on nothing', async () => {
    // conversation_new_message without its Token: understood as nothing, answered success.
    await stack.simPost('/__sim/events', {
      type: 'custom',
      infoType: 'conversation_new_message',
      fields: { AuthCorpId: corpId },
    });
    await waitFor(
      'counted as unusable',
      async () =>
        (await metricValue(
          stack.gatewayUrl,
          'wag_callback_events_ignored_total{info_type="conversation_new_message",reason="unusable"}',
        )) === 1,
    );
    expect((await stats()).callbacks.byInfoType['conversation_new_message']?.failed ?? 0).toBe(0);
  });

  it('reset_permanent_code: the new permanent code is stored and the archive keeps flowing', async () => {
    const runtime = stack.sim.state.corps.get(corpId)!;
    const before = runtime.permanentCode;
    await stack.simPost('/__sim/events', { type: 'reset_permanent_code', corpId });
    expect(runtime.permanentCode).not.toBe(before);
    await waitFor(
      'new permanent code stored',
      async () => (await stack.app.datasources.corps.getPermanentCode(corpId)) === runtime.permanentCode,
    );
    // The old code is dead upstream; the gateway gets its next token with the new one.
    const made = await stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId, count: 3 });
    await waitFor('new messages indexed', async () =>
      (await stack.app.ingest.index.getMany(corpId, made.msgids)).every((m) => m !== null),
    );
  });

  it('suite_ticket: the newest by TimeStamp wins, whatever arrives last', async () => {
    // Ticket A, then (2 h later on the upstream clock) ticket B; then A is delivered again, late.
    const a = await stack.simPost<{ suiteTicket: string; timeStamp: number }>('/__sim/events', {
      type: 'suite_ticket',
    });
    await stack.simPost('/__sim/clock', { advanceSeconds: 7200 });
    const b = await stack.simPost<{ suiteTicket: string; timeStamp: number }>('/__sim/events', {
      type: 'suite_ticket',
    });
    expect(b.timeStamp).toBeGreaterThan(a.timeStamp);
    await delivered('suite_ticket', 4);
    await stack.simPost('/__sim/events', { type: 'suite_ticket', ticket: a.suiteTicket });
    await delivered('suite_ticket', 5);
    // The cached suite token has expired upstream (2 h): the next suite call refetches it with
    // the stored ticket. A is 2 h old upstream and would be refused (40085); B is fresh. Keeping
    // the last to arrive (the old gateway) fails this re-authorization.
    const other = stack.corps[1]!.corpId;
    const codeBefore = await stack.app.datasources.corps.getPermanentCode(other);
    const suiteToken = (result: string) =>
      metricValue(
        stack.gatewayUrl,
        `wag_upstream_calls_total{path="/cgi-bin/service/get_suite_token",result="${result}"}`,
      );
    const fetchedBefore = await suiteToken('ok');
    await stack.simPost('/__sim/events', { type: 'create_auth', corpId: other });
    await waitFor(
      're-authorized with a fresh suite token',
      async () => (await stack.app.datasources.corps.getPermanentCode(other)) !== codeBefore,
    );
    // One new suite token, fetched with B at the first try: ticket A (the last to arrive) would
    // have been refused as expired (40085) and the authorization held until the next push.
    expect(await suiteToken('ok')).toBe(fetchedBefore + 1);
    expect(await suiteToken('40085')).toBe(0);
  });
});
