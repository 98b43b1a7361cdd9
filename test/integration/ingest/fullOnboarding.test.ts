import { gql } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorMsgids } from '../../helpers/archiveCheck.js';
import { simControl } from '../../helpers/simControl.js';
import { type Stack, startStack } from '../../helpers/startStack.js';
import { waitFor } from '../../helpers/waitFor.js';

const SET_KEY = '/cgi-bin/chatdata/set_public_key';

type SimStats = {
  calls: Record<string, number>;
  urlVerification: { ok: number; failed: number };
};

const CORP_STATE = gql`
  query ($c: String!) {
    corp(corpId: $c) {
      corpId
      publicKey { version }
      syncState { indexedMessages quarantined }
      quarantinedRecords(first: 10) { edges { node { msgid reason } } hasNextPage }
    }
  }
`;
type CorpState = {
  corp: {
    corpId: string;
    publicKey: { version: number } | null;
    syncState: { indexedMessages: number; quarantined: number };
    quarantinedRecords: { edges: { node: { msgid: string | null; reason: string } }[]; hasNextPage: boolean };
  } | null;
};

/**
 * Issue 11's whole first contact, on the PostgreSQL store: the URL verified first (receiveid =
 * provider corpid), both apps authorized, the first key set through a lost answer, 50 messages
 * of which 5 break the documented shape, then a cancel and a re-authorization; every count
 * checked at each step.
 */
describe('full onboarding against the simulator', () => {
  let stack: Stack;
  let corpId: string;

  beforeAll(async () => {
    stack = await startStack({
      redis: true,
      indexLookup: true,
      sim: { backlogPerCorp: 30 },
      // The first set_public_key takes effect upstream and its answer never arrives.
      beforeCallbacks: (simUrl) =>
        simControl(simUrl).post('/__sim/faults', { path: SET_KEY, responseLost: true, times: 1 }),
    });
    corpId = stack.corps[0]!.corpId;
  }, 60_000);
  afterAll(async () => stack?.stop());

  const state = async (id = corpId) => (await stack.client().request<CorpState>(CORP_STATE, { c: id })).corp;
  const stats = () => stack.simGet<SimStats>('/__sim/stats');
  const corpIds = () => stack.app.datasources.corps.list().then((l) => l.map((c) => c.corpId).sort());

  it('verifies the URL first, authorizes both apps, and sets the key through a lost answer', async () => {
    const s = await stats();
    expect(s.urlVerification).toMatchObject({ ok: 1, failed: 0 });
    const all = stack.corps.map((c) => c.corpId).sort();
    expect(await corpIds()).toEqual(all);
    await waitFor(
      'the display app authorized by every corp',
      async () => (await stack.app.datasources.display.corps.list()).length === all.length,
    );
    // One key per corp, version 1 everywhere: the lost answer was settled by asking again
    // (40212 for the same version = applied), not by a second key.
    for (const id of all) expect((await state(id))?.publicKey).toEqual({ version: 1 });
    expect(s.calls[SET_KEY]).toBe(all.length + 1);
    const sim = (
      await stack.simGet<{ corps: { corpId: string; publicKeyVer: number | null }[] }>('/__sim/corps')
    ).corps;
    expect(sim.map((c) => c.publicKeyVer)).toEqual(all.map(() => 1));
  });

  it('archives 45 of 50 new messages and keeps the 5 malformed aside without stopping the corp', async () => {
    const before = (await state())!.syncState.indexedMessages;
    expect(before).toBe(simulatorMsgids(stack.sim, corpId).length);
    const created = await stack.simPost<{ msgids: string[]; malformed: { msgid: string }[] }>(
      '/__sim/messages',
      {
        corpId,
        count: 50,
        malformed: 5,
      },
    );
    expect(created.malformed).toHaveLength(5);
    await waitFor(
      'the page archived',
      async () => (await state())!.syncState.indexedMessages === before + 45,
    );
    const after = (await state())!;
    expect(after.syncState.quarantined).toBe(5);
    expect(after.quarantinedRecords.hasNextPage).toBe(false);
    expect(after.quarantinedRecords.edges).toHaveLength(5);
    for (const { node } of after.quarantinedRecords.edges) expect(node.reason.length).toBeGreaterThan(0);
    // The corp goes on: the next message is archived too.
    await stack.simPost('/__sim/messages', { corpId, count: 1 });
    await waitFor(
      'the next message archived',
      async () => (await state())!.syncState.indexedMessages === before + 46,
    );
  });

  it('cancel: the corp leaves corps and its archive goes; a re-authorization starts empty', async () => {
    const others = (await corpIds()).filter((id) => id !== corpId);
    await stack.simPost('/__sim/events', { type: 'cancel_auth', corpId });
    await waitFor('the corp gone from the registry', async () => !(await corpIds()).includes(corpId));
    expect(await corpIds()).toEqual(others);
    const { index } = stack.app.ingest;
    expect(await index.count({ corpId })).toBe(0);
    expect((await index.quarantined(corpId, 10)).items).toEqual([]);
    expect(await stack.app.datasources.keys.current(corpId)).toBeNull();
    expect((await stack.app.ingest.syncState.read(corpId)).cursor).toBeNull();
    // Re-authorized: a fresh key, an empty archive (WeCom cleared its side as well).
    await stack.simPost('/__sim/events', { type: 'create_auth', corpId });
    await waitFor('the corp back with a key', async () => {
      const corp = await state();
      return corp !== null && corp.publicKey !== null;
    });
    const back = (await state())!;
    expect(back.syncState).toEqual({
      indexedMessages: simulatorMsgids(stack.sim, corpId).length,
      quarantined: 0,
    });
    expect(simulatorMsgids(stack.sim, corpId)).toEqual([]);
    // Other corps untouched.
    for (const id of others) expect((await state(id))!.syncState.indexedMessages).toBeGreaterThan(0);
  });
});
