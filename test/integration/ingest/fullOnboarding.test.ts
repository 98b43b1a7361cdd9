import { gql } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorMsgids } from '../../helpers/archiveCheck.js';
import { simControl } from '../../helpers/simControl.js';
import { type Stack, startStack } from '../../helpers/startStack.js';
import { TEST_APPS_SIM } from '../../helpers/testApps.js';
import { waitFor } from '../../helpers/waitFor.js';

const SET_KEY = '/cgi-bin/chatdata/set_public_key';

type SimStats = {
  calls: Record<string, number>;
  callbacks: { firstSeq: number | null };
  urlVerification: { ok: number; failed: number; last: { seq: number; receiveId: string } | null };
};

const CORP_STATE = gql`
  query ($c: String!) {
    corp(corpId: $c) {
      corpId
      publicKey { version }
      syncState { indexedMessages quarantined }
    }
  }
`;
type CorpState = {
  corp: {
    corpId: string;
    publicKey: { version: number } | null;
    syncState: { indexedMessages: number; quarantined: number };
  } | null;
};
const QUARANTINED = gql`
  query ($c: String!, $first: Int!, $after: String) {
    corp(corpId: $c) {
      quarantinedRecords(first: $first, after: $after) {
        edges { cursor node { msgid raw reason } }
        hasNextPage
        endCursor
      }
    }
  }
`;
type QuarantinedPage = {
  corp: {
    quarantinedRecords: {
      edges: { cursor: string; node: { msgid: string | null; raw: string; reason: string } }[];
      hasNextPage: boolean;
      endCursor: string | null;
    };
  };
};
/** How each malformation of the simulator shows in the kept-aside record: its raw JSON and the reason. */
const MALFORMED: Record<string, { raw: (r: Record<string, unknown>) => boolean; reason: string }> = {
  no_encrypt_info: { raw: (r) => !('service_encrypt_info' in r), reason: 'service_encrypt_info' },
  unknown_msgtype: { raw: (r) => r['msgtype'] === 9999, reason: 'msgtype' },
  wrong_type: { raw: (r) => typeof r['send_time'] === 'string', reason: 'send_time' },
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

  /** Every kept-aside record of the corp, paged through GraphQL `first`/`after`. */
  const quarantinedPages = async (first: number) => {
    const pages: QuarantinedPage['corp']['quarantinedRecords'][] = [];
    let after: string | null = null;
    for (let n = 0; n < 10; n++) {
      const page: QuarantinedPage = await stack.client().request(QUARANTINED, { c: corpId, first, after });
      pages.push(page.corp.quarantinedRecords);
      if (!page.corp.quarantinedRecords.hasNextPage) return pages;
      after = page.corp.quarantinedRecords.endCursor;
    }
    throw new Error('quarantinedRecords never ended');
  };

  it('verifies the URL first, authorizes both apps, and sets the key through a lost answer', async () => {
    const s = await stats();
    expect(s.urlVerification).toMatchObject({ ok: 1, failed: 0 });
    // The URL check (receiveid = provider corpid) was answered before WeCom sent any event.
    expect(s.urlVerification.last?.receiveId).toBe(TEST_APPS_SIM.providerCorpId);
    expect(s.callbacks.firstSeq).not.toBeNull();
    expect(s.urlVerification.last!.seq).toBeLessThan(s.callbacks.firstSeq!);
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
    const created = await stack.simPost<{ msgids: string[]; malformed: { msgid: string; kind: string }[] }>(
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
    // Paged two at a time: 2 + 2 + 1, every record once, and exactly the simulator's malformed ones.
    const pages = await quarantinedPages(2);
    expect(pages.map((p) => p.edges.length)).toEqual([2, 2, 1]);
    const records = pages.flatMap((p) => p.edges.map((e) => e.node));
    const cursors = pages.flatMap((p) => p.edges.map((e) => e.cursor));
    expect(new Set(cursors).size).toBe(5);
    expect(records.map((r) => r.msgid).sort()).toEqual(created.malformed.map((m) => m.msgid).sort());
    // Each kept with the record as sent (raw JSON) and the field that broke the shape.
    const kinds = new Map(created.malformed.map((m) => [m.msgid, m.kind]));
    for (const record of records) {
      const kind = MALFORMED[kinds.get(record.msgid!)!]!;
      const raw = JSON.parse(record.raw) as Record<string, unknown>;
      expect(raw['msgid']).toBe(record.msgid);
      expect(kind.raw(raw)).toBe(true);
      expect(record.reason).toContain(kind.reason);
    }
    // None of them reached the archive.
    expect((await stack.app.ingest.index.getMany(corpId, [...kinds.keys()])).every((m) => m === null)).toBe(
      true,
    );
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
    const setKeyCalls = (await stats()).calls[SET_KEY]!;
    await stack.simPost('/__sim/events', { type: 'create_auth', corpId });
    await waitFor('the corp back with a key', async () => {
      const corp = await state();
      return corp !== null && corp.publicKey !== null;
    });
    const back = (await state())!;
    // The gateway forgot every key of the corp, but WeCom keeps versions monotonic across a
    // cancel: version 1 is refused as not greater (40212), and the new key is version 2.
    expect(back.publicKey).toEqual({ version: 2 });
    expect((await stats()).calls[SET_KEY]).toBe(setKeyCalls + 2);
    expect(stack.sim.state.corps.get(corpId)!.keys.version).toBe(2);
    expect(await stack.app.datasources.keys.current(corpId)).toMatchObject({ version: 2 });
    expect(back.syncState).toEqual({
      indexedMessages: simulatorMsgids(stack.sim, corpId).length,
      quarantined: 0,
    });
    expect(simulatorMsgids(stack.sim, corpId)).toEqual([]);
    // Other corps untouched.
    for (const id of others) expect((await state(id))!.syncState.indexedMessages).toBeGreaterThan(0);
  });
});
