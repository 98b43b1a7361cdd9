import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorMsgids } from '../../helpers/archiveCheck.js';
import { gqlErrors, type Json } from '../../helpers/graphqlCall.js';
import { metricValue } from '../../helpers/metricValue.js';
import { type Stack, startStack } from '../../helpers/startStack.js';
import { waitFor } from '../../helpers/waitFor.js';

// Issue 11, points 3 and 7: two apps, and a cancel that clears the archive only when it is real.
const CORPS = '{ corps(first: 10) { edges { node { corpId } } } }';
const SIGNATURES = `query($c: String!) { jsapiSignatures(corpId: $c, url: "https://a.example/") { agentId } }`;

describe('cancel_auth and the two apps', () => {
  let stack: Stack;
  const listed = async () =>
    (await stack.client().request<Json>(CORPS)).corps.edges.map((e: Json) => e.node.corpId as string);
  const indexed = (corpId: string) => stack.app.ingest.index.lastSeq(corpId);

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  // Issue 11: with the demo secrets, one forged cancel_auth purged a corp's 1,200 messages and
  // its keys. A well-signed cancel the upstream does not confirm must change nothing.
  it('a cancel_auth the upstream does not confirm changes nothing, and is counted', async () => {
    const corpId = stack.corps[0]!.corpId;
    const before = await indexed(corpId);
    expect(before).toBe(simulatorMsgids(stack.sim, corpId).length);
    // Signed and encrypted like WeCom's, but the corp is still authorized upstream.
    await stack.simPost('/__sim/events', {
      type: 'custom',
      infoType: 'cancel_auth',
      fields: { AuthCorpId: corpId },
    });
    await waitFor(
      'the refused cancel counted',
      async () =>
        (await metricValue(
          stack.gatewayUrl,
          'wag_onboarding_events_total{app="archive",kind="cancel_unconfirmed"}',
        )) === 1,
    );
    expect(await listed()).toContain(corpId);
    expect(await indexed(corpId)).toBe(before);
    expect(await stack.app.datasources.keys.current(corpId)).not.toBeNull();
  });

  it('cancelling the display app leaves the archive alone; the display component needs it back', async () => {
    const corpId = stack.corps[1]!.corpId;
    const before = await indexed(corpId);
    await stack.simPost('/__sim/events', { type: 'cancel_auth', corpId, app: 'display' });
    await waitFor(
      'display authorization gone',
      async () => (await stack.app.datasources.display.corps.get(corpId)) === null,
    );
    const { errors } = await gqlErrors(stack.client(), SIGNATURES, { c: corpId });
    expect(errors[0]!.extensions).toMatchObject({ code: 'CORP_NOT_AUTHORIZED' });
    expect(await listed()).toContain(corpId);
    expect(await indexed(corpId)).toBe(before);
    await stack.simPost('/__sim/events', { type: 'create_auth', corpId, app: 'display' });
    await waitFor(
      'display authorized again',
      async () => (await stack.app.datasources.display.corps.get(corpId)) !== null,
    );
    expect((await stack.client().request<Json>(SIGNATURES, { c: corpId })).jsapiSignatures.agentId).toBe(
      1000002,
    );
  });

  it('a real cancel clears the archive: the corp leaves corps, a new authorization starts empty', async () => {
    const corpId = stack.corps[2]!.corpId;
    expect(await indexed(corpId)).toBeGreaterThan(0);
    await stack.simPost('/__sim/events', { type: 'cancel_auth', corpId });
    await waitFor('the corp gone from corps', async () => !(await listed()).includes(corpId));
    expect(await stack.app.datasources.corps.get(corpId)).toBeNull();
    expect(await stack.app.datasources.corps.getPermanentCode(corpId)).toBeNull();
    expect(await stack.app.datasources.keys.current(corpId)).toBeNull();
    expect(await indexed(corpId)).toBe(0);
    expect(await stack.app.ingest.syncState.cursor(corpId)).toBeNull();
    // The simulator cleared its side too: nothing old comes back with the new authorization.
    expect(stack.sim.state.corps.get(corpId)!.messages).toHaveLength(0);

    await stack.simPost('/__sim/events', { type: 'create_auth', corpId });
    await waitFor(
      'authorized again with a new key',
      async () => (await stack.app.datasources.keys.current(corpId)) !== null,
    );
    expect(await listed()).toContain(corpId);
    expect(await indexed(corpId)).toBe(0);
    const made = await stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId, count: 4 });
    await waitFor('only the new messages indexed', async () => (await indexed(corpId)) === 4);
    expect((await stack.app.ingest.index.getMany(corpId, made.msgids)).every((m) => m !== null)).toBe(true);
  });
});
