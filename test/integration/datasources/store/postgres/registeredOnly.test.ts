import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDurableStores,
  type DurableStores,
} from '../../../../../src/datasources/createDurableStores.js';
import { CorpNotRegisteredError } from '../../../../../src/datasources/store/CorpNotRegisteredError.js';
import { createSecretBox } from '../../../../../src/datasources/store/secretBox.js';
import { silentLogger } from '../../../../../src/logging/Logger.js';
import { PgStatsStore } from '../../../../../src/stats/PgStatsStore.js';
import type { StatsCommit } from '../../../../../src/stats/StatsStore.js';
import { archivedMessages } from '../../../../helpers/archivedMessage.js';
import { corpRecord } from '../../../../helpers/corpRecord.js';
import { freshSchema, type TestSchema } from '../../../../helpers/postgres.js';

const CORP = 'wwRegisteredOnly';
const message = archivedMessages('ro', CORP);

/**
 * The store of record archives only for registered corps: a sync that fetched a page before its
 * corp's cancel cannot write it, or its sync state, after the purge removed the registry row.
 */
describe('PostgreSQL stores write only for registered corps', () => {
  let schema: TestSchema;
  let stores: DurableStores;

  beforeAll(async () => {
    schema = await freshSchema('registered');
    stores = await createDurableStores(
      { url: schema.url, poolMax: 2 },
      createSecretBox('registered-only-test-key-0123456789'),
      silentLogger,
    );
  });
  afterAll(async () => {
    await stores?.close();
    await schema?.drop();
  });

  const hit = (msgid: string) => ({
    msgid,
    rules: [{ ruleId: 'rule-1', hasHitKeyword: true, semantics: [] }],
    sendTime: null,
    recordedAt: Date.now(),
  });
  const fold = (expected: number): StatsCommit => ({
    expected,
    next: expected + 1,
    delta: new Map(),
    rollup: new Map([['20000|1|INTERNAL|emp-1', 1]]),
    chats: new Map(),
  });
  const stats = () => new PgStatsStore(stores.pool!, { registeredOnly: true });

  const rows = async (table: string) =>
    (
      await stores.pool!.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE corp_id = $1`, [
        CORP,
      ])
    ).rows[0]!.n;

  it('refuses a page and sync-state writes for a corp never registered, and writes nothing', async () => {
    await expect(
      stores.index.commitPage(CORP, { messages: [message()], now: Date.now() }),
    ).rejects.toBeInstanceOf(CorpNotRegisteredError);
    await stores.syncState.mark(CORP, 'sync', 'lastSyncStartedAt', Date.now());
    await stores.syncState.recordError(CORP, 'sync', {
      code: 'UPSTREAM_ERROR',
      message: 'refused',
      at: Date.now(),
    });
    expect(await stores.hits.record(CORP, hit('ro-hit-0'))).toEqual([]);
    await expect(stats().commit(CORP, fold(0))).rejects.toBeInstanceOf(CorpNotRegisteredError);
    for (const table of ['messages', 'sync_state', 'keyword_hits', 'stats_watermarks', 'message_rollup']) {
      expect(await rows(table), table).toBe(0);
    }
  });

  it('archives while the corp is registered, and nothing once its registry row is gone', async () => {
    await stores.corps.upsert(corpRecord(CORP));
    expect(
      await stores.index.commitPage(CORP, { messages: [message(), message()], now: Date.now() }),
    ).toHaveLength(2);
    await stores.syncState.mark(CORP, 'sync', 'lastSyncOkAt', Date.now());
    expect(await stores.hits.record(CORP, hit('ro-hit-1'))).toHaveLength(1);
    expect(await stats().commit(CORP, fold(0))).toBe(true);
    expect(await rows('messages')).toBe(2);
    expect(await rows('sync_state')).toBe(1);
    expect(await rows('keyword_hits')).toBe(1);
    expect(await rows('message_rollup')).toBe(1);

    // A cancel's purge: the archive first, the registry row last (CorpOnboarding).
    await stores.index.purgeCorp(CORP);
    await stores.syncState.purge(CORP);
    await stores.hits.purge(CORP);
    await stats().purge(CORP);
    await stores.corps.remove(CORP);
    // A sync that was under way ends now: its page and its error are refused.
    await expect(
      stores.index.commitPage(CORP, { messages: [message()], now: Date.now() }),
    ).rejects.toBeInstanceOf(CorpNotRegisteredError);
    await stores.syncState.recordError(CORP, 'sync', {
      code: 'UPSTREAM_ERROR',
      message: 'token refused',
      at: Date.now(),
    });
    expect(await stores.hits.record(CORP, hit('ro-hit-2'))).toEqual([]);
    await expect(stats().commit(CORP, fold(0))).rejects.toBeInstanceOf(CorpNotRegisteredError);
    for (const table of ['messages', 'sync_state', 'keyword_hits', 'stats_watermarks', 'message_rollup']) {
      expect(await rows(table), table).toBe(0);
    }
  });
});
