import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgPool } from '../../../src/datasources/store/postgres/createPgPool.js';
import { simulatorMsgids } from '../../helpers/archiveCheck.js';
import { gqlErrors, type Json } from '../../helpers/graphqlCall.js';
import { metricValue } from '../../helpers/metricValue.js';
import { postCreateExport } from '../../helpers/postCreateExport.js';
import { ADMIN_KEY, type Stack, startStack } from '../../helpers/startStack.js';
import { waitFor } from '../../helpers/waitFor.js';

// Issue 11, points 3 and 7: two apps, and a cancel that clears the archive only when it is real.
const CORPS = '{ corps(first: 10) { edges { node { corpId } } } }';
const SIGNATURES = `query($c: String!) { jsapiSignatures(corpId: $c, url: "https://a.example/") { agentId } }`;
const START = `mutation($c: String!, $ids: [ID!]!) { startAnalysis(corpId: $c, type: SENTIMENT, messageIds: $ids) { id } }`;
const SEEDED = `query($c: String!, $analysis: ID!, $export: ID!, $from: DateTime!, $to: DateTime!) {
  corp(corpId: $c) {
    corpId
    statistics(from: $from, to: $to) { messages }
    replyTimeoutRules { id }
    replyAlerts(first: 5, status: ALL) { edges { node { id } } }
    messages(first: 1) { totalCount }
  }
  analysis: node(id: $analysis) { id }
  export: node(id: $export) { id }
}`;

/** Row counts per table of the store of record for one corp (every table with a corp_id). */
async function rowsOf(pool: PgPool, corpId: string): Promise<Record<string, number>> {
  const { rows: tables } = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'corp_id' AND NOT a.attisdropped
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname`,
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${name} WHERE corp_id = $1`,
      [corpId],
    );
    if (rows[0]!.n > 0) counts[name] = rows[0]!.n;
  }
  return counts;
}

/** What a corp leaves behind once its archive authorization is gone: its display app's, only. */
const AFTER_CANCEL = { display_corps: 1 };

describe('cancel_auth and the two apps', () => {
  let stack: Stack;
  let pool: PgPool;
  const listed = async () =>
    (await stack.client().request<Json>(CORPS)).corps.edges.map((e: Json) => e.node.corpId as string);
  const indexed = (corpId: string) => stack.app.ingest.index.lastSeq(corpId);
  const onboardingCount = (kind: string) =>
    metricValue(stack.gatewayUrl, `wag_onboarding_events_total{app="archive",kind="${kind}"}`);
  const window = () => ({
    from: new Date(Date.now() - 6 * 86_400_000).toISOString(),
    to: new Date(Date.now() + 3_600_000).toISOString(),
  });
  /** Each kind of per-corp data the issue lists, as the gateway itself writes it. */
  const seeded = new Map<string, { analysis: string; export: string }>();
  const seed = async (corpId: string) => {
    const { items } = await stack.app.ingest.index.query({ corpId, first: 200 });
    const text = items.filter((m) => m.msgtype === 1).slice(0, 2);
    expect(text).toHaveLength(2);
    // A keyword hit (as the hit sync records one), an analysis task and an export task (through
    // the mutations), statistics (folded from the archive), a reply rule and an open alert.
    await stack.app.ingest.hits.record(corpId, {
      msgid: text[0]!.msgid,
      rules: [{ ruleId: 'kr-seeded', hasHitKeyword: true, semantics: [] }],
      sendTime: text[0]!.sendTime,
      recordedAt: Date.now(),
    });
    const { startAnalysis } = await stack
      .client()
      .request<Json>(START, { c: corpId, ids: text.map((m) => m.msgid) });
    const { code } = await stack.simPost<{ code: string }>('/__sim/export-code', { corpId });
    const created = await postCreateExport(stack.graphqlUrl, ADMIN_KEY, corpId, code);
    expect(created.errors).toBeUndefined();
    const { alertStore, store } = stack.app.ingest.statistics;
    await alertStore.putRule({
      corpId,
      id: 'rule-seeded',
      name: '10 minutes',
      chatKind: 'GROUP',
      minutes: 10,
      employeeIds: null,
      enabled: true,
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
    await alertStore.open({
      corpId,
      id: 'alert-seeded',
      ruleId: 'rule-seeded',
      ruleName: '10 minutes',
      minutes: 10,
      chatKey: 'wrseeded',
      chatKind: 'GROUP',
      chatId: 'wrseeded',
      parties: [],
      customerMsgid: text[1]!.msgid,
      customerId: 'wmseeded',
      customerSentAt: text[1]!.sendTime,
      openedAt: Date.now(),
      status: 'OPEN',
      resolvedAt: null,
      resolvedBy: null,
    });
    await waitFor(
      'statistics folded',
      async () => (await store.watermark(corpId)) === (await indexed(corpId)),
    );
    seeded.set(corpId, { analysis: startAnalysis.id, export: created.data.createExport.id });
    const rows = await rowsOf(pool, corpId);
    for (const table of [
      'corps',
      'display_corps',
      'corp_keys',
      'sync_state',
      'messages',
      'keyword_hits',
      'tasks',
      'stats_watermarks',
      'stats_counters',
      'message_rollup',
      'alert_rules',
      'reply_alerts',
    ]) {
      expect(rows[table], table).toBeGreaterThan(0);
    }
    expect(rows['tasks']).toBe(2);
    return rows;
  };
  /** The seeded data as GraphQL shows it: null for the corp and each task once cancelled. */
  const visible = async (corpId: string) => {
    const ids = seeded.get(corpId)!;
    return stack.client().request<Json>(SEEDED, { c: corpId, ...ids, ...window() });
  };
  const expectVisible = async (corpId: string) => {
    const seen = await visible(corpId);
    expect(seen.corp.statistics.messages).toBeGreaterThan(0);
    expect(seen.corp.replyTimeoutRules).toEqual([{ id: expect.any(String) }]);
    expect(seen.corp.replyAlerts.edges).toHaveLength(1);
    expect(seen.corp.messages.totalCount).toBe(await indexed(corpId));
    expect(seen.analysis).toEqual({ id: seeded.get(corpId)!.analysis });
    expect(seen.export).toEqual({ id: seeded.get(corpId)!.export });
  };
  const expectGone = async (corpId: string) => {
    expect(await rowsOf(pool, corpId)).toEqual(AFTER_CANCEL);
    expect(await visible(corpId)).toEqual({ corp: null, analysis: null, export: null });
    expect(await listed()).not.toContain(corpId);
  };

  beforeAll(async () => {
    stack = await startStack({
      indexLookup: true,
      // Watchdog passes every 300 ms: the re-check of an unconfirmed cancel is seen in seconds.
      env: { SYNC_WATCHDOG_INTERVAL_S: '0.3' },
    });
    pool = stack.app.datasources.durable.pool!;
  });
  afterAll(async () => stack?.stop());

  // Issue 11: with the demo secrets, one forged cancel_auth purged a corp's 1,200 messages and
  // its keys. A well-signed cancel the upstream does not confirm must change nothing.
  it('a cancel_auth the upstream does not confirm changes nothing, and is counted', async () => {
    const corpId = stack.corps[0]!.corpId;
    expect(await indexed(corpId)).toBe(simulatorMsgids(stack.sim, corpId).length);
    const before = await seed(corpId);
    // Signed and encrypted like WeCom's, but the corp is still authorized upstream.
    await stack.simPost('/__sim/events', {
      type: 'custom',
      infoType: 'cancel_auth',
      fields: { AuthCorpId: corpId },
    });
    await waitFor(
      'the refused cancel counted',
      async () => (await onboardingCount('cancel_unconfirmed')) === 1,
    );
    // Every row kept; the cancel waits for its re-check.
    expect(await rowsOf(pool, corpId)).toEqual({ ...before, pending_cancels: 1 });
    await expectVisible(corpId);
    expect(await listed()).toContain(corpId);
    expect(await stack.app.datasources.keys.current(corpId)).not.toBeNull();
  });

  it('re-checked on the watchdog passes: still granted changes nothing; refused later, the cancel is applied', async () => {
    const corpId = stack.corps[0]!.corpId;
    const corpTokens = async () =>
      (await stack.simGet<{ calls: Record<string, number> }>('/__sim/stats')).calls[
        '/cgi-bin/service/get_corp_token'
      ] ?? 0;
    const asked = await corpTokens();
    // Two passes that asked the upstream again and were told the corp is still authorized.
    await waitFor('two re-checks', async () => (await corpTokens()) >= asked + 2);
    const kept = await rowsOf(pool, corpId);
    expect(kept['pending_cancels']).toBe(1);
    expect(kept['messages']).toBe(await indexed(corpId));
    await expectVisible(corpId);

    // WeCom now has the cancel (its own event for it never came): the next pass applies it.
    await stack.simPost('/__sim/events', { type: 'cancel_auth', corpId, notify: false });
    await waitFor(
      'the late confirmation counted',
      async () => (await onboardingCount('cancel_confirmed_late')) === 1,
    );
    await expectGone(corpId);
    expect(await stack.app.datasources.keys.current(corpId)).toBeNull();
    expect(await onboardingCount('cancel_recheck_expired')).toBe(0);
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
    await seed(corpId);
    await expectVisible(corpId);
    await stack.simPost('/__sim/events', { type: 'cancel_auth', corpId });
    await waitFor('the corp gone from corps', async () => !(await listed()).includes(corpId));
    // Messages, keys, hits, tasks, statistics, alerts, cursors: every row of the corp is gone.
    await expectGone(corpId);
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
