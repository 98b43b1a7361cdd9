import type pg from 'pg';
import { inTransaction, type PgPool } from '../datasources/store/postgres/createPgPool.js';
import { assertCorpRegistered } from '../datasources/store/postgres/registeredCorp.js';
import { bucketEnd, DAY_S } from './bucketsFor.js';
import type { Direction } from './classifyMessage.js';
import {
  type BreakdownQuery,
  type BreakdownRow,
  type ChatState,
  type Counters,
  type Dimension,
  type PendingTurn,
  parseRollupKey,
  type StatsCommit,
  type StatsDelta,
  type StatsStore,
} from './StatsStore.js';

// Adds counter objects key by key: each key of the increment is summed with the stored value and
// laid over the stored object (`||`), so a bucket row is one upsert whatever counters it carries,
// and only the increment's few keys are visited (unnesting and regrouping the stored object as
// well cost ~40 % more per row).
const ADD_COUNTERS = `
  INSERT INTO stats_counters (corp_id, dimension, bucket, counters, ends_at)
  SELECT $1, t.dimension, t.bucket, t.counters, t.ends_at
    FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::bigint[]) AS t(dimension, bucket, counters, ends_at)
  ON CONFLICT (corp_id, dimension, bucket) DO UPDATE SET counters = stats_counters.counters || COALESCE((
    SELECT jsonb_object_agg(e.key, COALESCE((stats_counters.counters ->> e.key)::bigint, 0) + e.value::bigint)
      FROM jsonb_each_text(EXCLUDED.counters) AS e), '{}')`;

const ADD_ROLLUP = `
  INSERT INTO message_rollup (corp_id, day, employee_id, msgtype, direction, messages)
  SELECT $1, t.day, t.employee_id, t.msgtype, t.direction, t.messages
    FROM unnest($2::int[], $3::text[], $4::int[], $5::text[], $6::bigint[])
      AS t(day, employee_id, msgtype, direction, messages)
  ON CONFLICT (corp_id, day, employee_id, msgtype, direction)
  DO UPDATE SET messages = message_rollup.messages + EXCLUDED.messages`;

const PUT_CHATS = `
  INSERT INTO stats_chats (corp_id, chat_key, state, pending_at)
  SELECT $1, t.chat_key, t.state, t.pending_at
    FROM unnest($2::text[], $3::jsonb[], $4::bigint[]) AS t(chat_key, state, pending_at)
  ON CONFLICT (corp_id, chat_key) DO UPDATE SET state = EXCLUDED.state, pending_at = EXCLUDED.pending_at`;

// Groups by the requested dimensions only (a CASE yields null for the others); employee rows
// and the corp rows ('') are never mixed, so nothing is counted twice. Sorted in the subquery's
// output with the "C" collation: code-unit order, as the memory store sorts.
const BREAKDOWN = `
  SELECT * FROM (
    SELECT CASE WHEN $4::boolean THEN day END AS day,
           CASE WHEN $5::boolean THEN employee_id END AS employee_id,
           CASE WHEN $6::boolean THEN msgtype END AS msgtype,
           CASE WHEN $7::boolean THEN direction END AS direction,
           sum(messages)::bigint AS messages
      FROM message_rollup
     WHERE corp_id = $1 AND day >= $2 AND day < $3 AND (employee_id <> '') = $5::boolean
     GROUP BY 1, 2, 3, 4) AS g
  ORDER BY day, employee_id COLLATE "C", msgtype, direction COLLATE "C"
  LIMIT $8`;

// A cancelled corp goes in one statement (data-modifying CTEs run as one, all or nothing).
const PURGE = `
  WITH w AS (DELETE FROM stats_watermarks WHERE corp_id = $1),
       b AS (DELETE FROM stats_counters WHERE corp_id = $1),
       r AS (DELETE FROM message_rollup WHERE corp_id = $1),
       c AS (DELETE FROM stats_chats WHERE corp_id = $1),
       rc AS (DELETE FROM stats_recalls WHERE corp_id = $1)
  DELETE FROM stats_awaited_recalls WHERE corp_id = $1`;

type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * Statistics in PostgreSQL (tables in migrations/002_statistics_and_alerts.sql). A commit is one
 * transaction that first compare-and-sets the corp's watermark row: the row lock serializes
 * commits of one corp, and a commit computed from a stale watermark changes nothing.
 */
export class PgStatsStore implements StatsStore {
  /**
   * `registeredOnly`: a fold commits only while the corp is in the registry (assertCorpRegistered),
   * so a fold that read messages before a cancel cannot write counters after its purge.
   */
  constructor(
    private readonly pool: PgPool,
    private readonly options: { registeredOnly?: boolean } = {},
  ) {}

  async watermark(corpId: string): Promise<number> {
    const { rows } = await this.pool.query<{ seq: number }>(
      'SELECT seq FROM stats_watermarks WHERE corp_id = $1',
      [corpId],
    );
    return rows[0]?.seq ?? 0;
  }

  async chatStates(corpId: string, chatKeys: readonly string[]): Promise<(ChatState | null)[]> {
    if (chatKeys.length === 0) return [];
    const { rows } = await this.pool.query<{ chat_key: string; state: ChatState }>(
      'SELECT chat_key, state FROM stats_chats WHERE corp_id = $1 AND chat_key = ANY($2::text[])',
      [corpId, chatKeys],
    );
    const byKey = new Map(rows.map((r) => [r.chat_key, r.state]));
    return chatKeys.map((k) => byKey.get(k) ?? null);
  }

  commit(corpId: string, commit: StatsCommit): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      if (this.options.registeredOnly) await assertCorpRegistered(client, corpId);
      await client.query(
        'INSERT INTO stats_watermarks (corp_id, seq) VALUES ($1, 0) ON CONFLICT (corp_id) DO NOTHING',
        [corpId],
      );
      const moved = await client.query(
        'UPDATE stats_watermarks SET seq = $3 WHERE corp_id = $1 AND seq = $2',
        [corpId, commit.expected, commit.next],
      );
      if (moved.rowCount !== 1) return false;
      await addCounters(client, corpId, commit.delta);
      if (commit.rollup.size > 0) {
        const cells = [...commit.rollup].map(([key, n]) => ({ ...parseRollupKey(key), n }));
        await client.query(ADD_ROLLUP, [
          corpId,
          cells.map((c) => c.day),
          cells.map((c) => c.employeeId),
          cells.map((c) => c.msgtype),
          cells.map((c) => c.direction),
          cells.map((c) => c.n),
        ]);
      }
      if (commit.chats.size > 0) {
        const chats = [...commit.chats];
        await client.query(PUT_CHATS, [
          corpId,
          chats.map(([key]) => key),
          chats.map(([, state]) => JSON.stringify(state)),
          chats.map(([, state]) => state.pending?.at ?? null),
        ]);
      }
      return true;
    });
  }

  async read(corpId: string, dimension: Dimension, buckets: readonly string[]): Promise<Counters> {
    const { rows } = await this.pool.query<{ key: string; n: number }>({
      name: 'stats_counters_read',
      text: `SELECT e.key, sum(e.value::bigint)::bigint AS n
               FROM stats_counters, jsonb_each_text(counters) AS e
              WHERE corp_id = $1 AND dimension = $2 AND bucket = ANY($3::text[])
              GROUP BY e.key`,
      values: [corpId, dimension, buckets],
    });
    return Object.fromEntries(rows.map((r) => [r.key, r.n]));
  }

  async breakdown(corpId: string, query: BreakdownQuery): Promise<BreakdownRow[]> {
    const { rows } = await this.pool.query<{
      day: number | null;
      employee_id: string | null;
      msgtype: number | null;
      direction: Direction | null;
      messages: number;
    }>(BREAKDOWN, [
      corpId,
      query.fromDay,
      query.toDay,
      query.by.has('DAY'),
      query.by.has('EMPLOYEE'),
      query.by.has('MESSAGE_TYPE'),
      query.by.has('DIRECTION'),
      query.limit,
    ]);
    return rows.map((r) => ({
      day: r.day,
      employeeId: r.employee_id,
      msgtype: r.msgtype,
      direction: r.direction,
      messages: r.messages,
    }));
  }

  async pendingTurns(corpId: string, since: number, before: number, limit: number) {
    const { rows } = await this.pool.query<{ chat_key: string; state: ChatState }>(
      `SELECT chat_key, state FROM stats_chats
        WHERE corp_id = $1 AND pending_at BETWEEN $2 AND $3
        ORDER BY pending_at, chat_key COLLATE "C" LIMIT $4`,
      [corpId, since, before, limit],
    );
    const out: { chatKey: string; turn: PendingTurn }[] = [];
    for (const r of rows) if (r.state.pending) out.push({ chatKey: r.chat_key, turn: r.state.pending });
    return out;
  }

  addRecallOnce(corpId: string, msgid: string, delta: StatsDelta): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const marked = await client.query(
        `INSERT INTO stats_recalls (corp_id, msgid, counted_at) VALUES ($1, $2, $3)
         ON CONFLICT (corp_id, msgid) DO NOTHING`,
        [corpId, msgid, Math.floor(Date.now() / 1000)],
      );
      if (marked.rowCount !== 1) return false;
      await addCounters(client, corpId, delta);
      return true;
    });
  }

  async awaitRecall(corpId: string, msgid: string): Promise<void> {
    await this.pool.query(
      'INSERT INTO stats_awaited_recalls (corp_id, msgid) VALUES ($1, $2) ON CONFLICT (corp_id, msgid) DO NOTHING',
      [corpId, msgid],
    );
  }

  async awaitedRecalls(corpId: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ msgid: string }>(
      'SELECT msgid FROM stats_awaited_recalls WHERE corp_id = $1 ORDER BY msgid',
      [corpId],
    );
    return rows.map((r) => r.msgid);
  }

  async dropAwaitedRecall(corpId: string, msgid: string): Promise<void> {
    await this.pool.query('DELETE FROM stats_awaited_recalls WHERE corp_id = $1 AND msgid = $2', [
      corpId,
      msgid,
    ]);
  }

  async purge(corpId: string): Promise<void> {
    await this.pool.query(PURGE, [corpId]);
  }

  async prune(beforeS: number): Promise<void> {
    // Three statements, not one: each spans every corp, and a multi-shard DELETE inside a CTE is
    // what Citus refuses; no atomicity is needed across them.
    await this.pool.query('DELETE FROM stats_counters WHERE ends_at < $1', [beforeS]);
    // A day row ends at (day + 1) × DAY_S; it goes when that is before `beforeS`.
    await this.pool.query('DELETE FROM message_rollup WHERE day < $1', [Math.ceil(beforeS / DAY_S) - 1]);
    await this.pool.query('DELETE FROM stats_recalls WHERE counted_at < $1', [beforeS]);
  }
}

async function addCounters(client: Queryable, corpId: string, delta: StatsDelta): Promise<void> {
  if (delta.size === 0) return;
  const entries = [...delta];
  const at = entries.map(([key]) => key.lastIndexOf('@'));
  await client.query(ADD_COUNTERS, [
    corpId,
    entries.map(([key], i) => key.slice(0, at[i])),
    entries.map(([key], i) => key.slice(at[i]! + 1)),
    entries.map(([, counters]) => JSON.stringify(counters)),
    entries.map(([key], i) => bucketEnd(key.slice(at[i]! + 1))),
  ]);
}
