/**
 * What a statistics query costs over 1,000,000 messages of one corp in PostgreSQL:
 * `npx tsx bench/statisticsQuery.ts [--messages=1000000] [--days=30] [--runs=7] [--fold] [--keep]`.
 *
 * Loads a fresh schema (DATABASE_URL, default the local server) in SQL: the messages with
 * generate_series into day partitions, then the rollup and the corp/employee counters derived
 * from them with the rules of applyMessages (direction from participant types; a message counts
 * for its employee sender and its single-chat employee receiver). With --fold, the rollup and
 * every counter come instead from the real StatsAggregator folding the archive (its throughput
 * is printed; slower to load). Then times, median of N runs
 * after one warm-up: the breakdown from the rollup (PgStatsStore.breakdown, what
 * Corp.statisticsBreakdown runs), the same breakdown grouped straight from `messages` (the
 * alternative to a rollup), and the per-dimension counter read of Corp.statistics
 * (PgStatsStore.read over the bucket plan of the window). Last, the archive's size on disk per
 * message, and retention dropping the oldest day partition (PgMessageIndex.dropBefore).
 * `--json=<file>` writes the figures for `npm run bench` (bench/run.ts runs this as `archive`).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { MemoryKeyValueStore } from '../src/datasources/store/memory/MemoryKeyValueStore.js';
import type { CorpRegistry } from '../src/datasources/store/ports.js';
import { createPgPool, type PgPool } from '../src/datasources/store/postgres/createPgPool.js';
import { migrate } from '../src/datasources/store/postgres/migrate.js';
import { PgMessageIndex } from '../src/datasources/store/postgres/PgMessageIndex.js';
import { PgPartitions } from '../src/datasources/store/postgres/PgPartitions.js';
import { silentLogger } from '../src/logging/Logger.js';
import { bucketsFor, DAY_S } from '../src/stats/bucketsFor.js';
import { PgStatsStore } from '../src/stats/PgStatsStore.js';
import { StatsAggregator } from '../src/stats/StatsAggregator.js';
import type { BreakdownDimension } from '../src/stats/StatsStore.js';
import { BenchPostgres } from './postgresTools.js';

const CORP = 'wwBenchCorp';
const EMPLOYEES = 200;
const CUSTOMERS = 5000;
const GROUPS = 300;

const arg = (name: string, fallback: number) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.slice(name.length + 3)) : fallback;
};

// 80 % single chats (half customer → employee, a third employee → customer, the rest between
// employees), 20 % groups (customer, employee or robot speaking); 70 % text, the rest 6 types.
const LOAD_MESSAGES = `
  INSERT INTO messages (corp_id, send_time, msgid, seq, msgtype, sender_type, sender_id, peer_id, chat_id,
                        chat_key, receivers, encrypted_secret_key, public_key_version)
  SELECT $1, $2::bigint + (i * $3::bigint) / $4::int, 'm' || i, i, CASE WHEN p.t < 14 THEN 1 ELSE p.t - 12 END,
         x.sender_type, x.sender_id, x.peer_id, x.chat_id,
         COALESCE(x.chat_id, 's:' || least(x.sender_id, x.peer_id) || '|' || greatest(x.sender_id, x.peer_id)),
         x.receivers, $5::bytea, 1
    FROM generate_series(1, $4::int) AS i
    -- Independent draws per message (hashint4 with salts), so every employee sees every type
    -- and direction, as in a real corp, and the rollup is as large as it gets.
    CROSS JOIN LATERAL (SELECT (hashint4(i) & 2147483647) AS h1, (hashint4(i + 1000003) & 2147483647) AS h2) AS r
    CROSS JOIN LATERAL (SELECT 'wo' || lpad((r.h1 % ${EMPLOYEES})::text, 4, '0') AS e,
                               'wo' || lpad(((r.h1 + 1) % ${EMPLOYEES})::text, 4, '0') AS e2,
                               'wm' || lpad((r.h2 % ${CUSTOMERS})::text, 5, '0') AS c,
                               'wr' || lpad((r.h2 % ${GROUPS})::text, 4, '0') AS g,
                               r.h2 % 20 AS t, (r.h1 / ${EMPLOYEES}) % 10 AS k, (r.h2 / ${CUSTOMERS}) % 6 AS d) AS p
    CROSS JOIN LATERAL (
      SELECT CASE WHEN p.k < 8 THEN
               CASE WHEN p.d < 3 THEN 2 ELSE 1 END
             ELSE CASE p.d % 3 WHEN 0 THEN 2 WHEN 1 THEN 1 ELSE 3 END END AS sender_type,
             CASE WHEN p.k < 8 THEN
               CASE WHEN p.d < 3 THEN p.c ELSE p.e END
             ELSE CASE p.d % 3 WHEN 0 THEN p.c WHEN 1 THEN p.e ELSE 'wbRobot' END END AS sender_id,
             CASE WHEN p.k < 8 THEN
               CASE WHEN p.d < 3 THEN p.e WHEN p.d < 5 THEN p.c ELSE p.e2 END END AS peer_id,
             CASE WHEN p.k >= 8 THEN p.g END AS chat_id,
             CASE WHEN p.k < 8 THEN
               CASE WHEN p.d < 3 THEN jsonb_build_array(jsonb_build_array(1, p.e))
                    WHEN p.d < 5 THEN jsonb_build_array(jsonb_build_array(2, p.c))
                    ELSE jsonb_build_array(jsonb_build_array(1, p.e2)) END
             ELSE CASE p.d % 3
                    WHEN 0 THEN jsonb_build_array(jsonb_build_array(1, p.e), jsonb_build_array(3, 'wbRobot'))
                    WHEN 1 THEN jsonb_build_array(jsonb_build_array(2, p.c), jsonb_build_array(3, 'wbRobot'))
                    ELSE jsonb_build_array(jsonb_build_array(1, p.e), jsonb_build_array(2, p.c)) END
             END AS receivers) AS x`;

// One row per message and counted party ('' = the corp), as applyMessages attributes them.
const ATTRIBUTED = `
  SELECT m.send_time, m.msgtype, a.employee_id,
         CASE WHEN m.sender_type = 1 THEN
                CASE WHEN m.receivers @> '[[2]]' THEN 'EMPLOYEE_TO_CUSTOMER' ELSE 'INTERNAL' END
              WHEN m.sender_type = 2 AND m.receivers @> '[[1]]' THEN 'CUSTOMER_TO_EMPLOYEE'
              ELSE 'OTHER' END AS direction
    FROM messages m
    CROSS JOIN LATERAL (
      SELECT '' AS employee_id
      UNION ALL SELECT m.sender_id WHERE m.sender_type = 1
      UNION ALL SELECT m.peer_id WHERE m.chat_id IS NULL AND m.receivers -> 0 ->> 0 = '1'
                                   AND m.peer_id <> m.sender_id) AS a
   WHERE m.corp_id = $1`;

const LOAD_HOURLY = `
  CREATE TEMP TABLE hourly AS
  SELECT send_time / 3600 AS hour, employee_id, msgtype, direction, count(*) AS n
    FROM (${ATTRIBUTED}) AS t GROUP BY 1, 2, 3, 4`;

const LOAD_ROLLUP = `
  INSERT INTO message_rollup (corp_id, day, employee_id, msgtype, direction, messages)
  SELECT $1, hour / 24, employee_id, msgtype, direction, sum(n) FROM hourly GROUP BY 2, 3, 4, 5`;

// Counters n, t<msgtype>, d<direction> per hour and day bucket, for the corp and each employee
// (the reply counters and the chat/customer dimensions are left out: see the printed note).
const LOAD_COUNTERS = `
  INSERT INTO stats_counters (corp_id, dimension, bucket, counters, ends_at)
  SELECT $1, dimension, bucket, jsonb_object_agg(k, v), max(ends_at) FROM (
    SELECT dimension, bucket, k, sum(n) AS v, max(ends_at) AS ends_at FROM (
      SELECT CASE WHEN employee_id = '' THEN 'c' ELSE 'e:' || employee_id END AS dimension, s.bucket, s.ends_at,
             kv.k, h.n
        FROM hourly h
        CROSS JOIN LATERAL (VALUES ('h' || h.hour, (h.hour + 1) * 3600),
                                   ('d' || h.hour / 24, (h.hour / 24 + 1) * 86400)) AS s(bucket, ends_at)
        CROSS JOIN LATERAL (VALUES ('n'), ('t' || h.msgtype),
          (CASE h.direction WHEN 'EMPLOYEE_TO_CUSTOMER' THEN 'dEC' WHEN 'CUSTOMER_TO_EMPLOYEE' THEN 'dCE'
                            WHEN 'INTERNAL' THEN 'dIN' ELSE 'dOT' END)) AS kv(k)) AS e
     GROUP BY 1, 2, 3) AS g
   GROUP BY 2, 3`;

// The breakdown without a rollup: the same grouping straight from the archive.
const FROM_MESSAGES = `
  SELECT (send_time / 86400)::int AS day, employee_id, msgtype, direction, count(*) AS messages
    FROM (${ATTRIBUTED} AND m.send_time >= $2 AND m.send_time < $3) AS t
   WHERE employee_id <> ''
   GROUP BY 1, 2, 3, 4 ORDER BY 1, employee_id COLLATE "C", msgtype, direction COLLATE "C"`;

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await work();
  console.log(`  ${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

async function median(runs: number, work: () => Promise<unknown>): Promise<{ ms: number; size: number }> {
  const first = await work();
  const size = Array.isArray(first) ? first.length : Object.keys(first as object).length;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await work();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, size };
}

async function load(
  pool: PgPool,
  messages: number,
  days: number,
  start: number,
  fold: boolean,
): Promise<void> {
  const partitions = new PgPartitions(pool, silentLogger);
  await partitions.ensureRange(start, start + days * DAY_S);
  const key = randomBytes(256);
  await timed(`${messages.toLocaleString('en')} messages`, () =>
    pool.query(LOAD_MESSAGES, [CORP, start, days * DAY_S, messages, key]),
  );
  if (fold) {
    // Catch-up reads the archive and commits; it never consults the corp registry.
    const noCorps: CorpRegistry = {
      list: async () => [],
      get: async () => null,
      upsert: async () => {},
      getPermanentCode: async () => null,
      remove: async () => {},
    };
    const aggregator = new StatsAggregator({
      store: new PgStatsStore(pool),
      index: new PgMessageIndex(pool, partitions, silentLogger),
      kv: new MemoryKeyValueStore(),
      corps: noCorps,
      logger: silentLogger,
      owner: 'bench',
      leaseMs: 600_000,
      conversationGapS: 8 * 3600,
      pageSize: 1000,
    });
    const t0 = performance.now();
    await timed('StatsAggregator fold (pages of 1000)', () => aggregator.catchUp(CORP));
    const rate = messages / ((performance.now() - t0) / 1000);
    console.log(`  fold throughput: ${Math.round(rate).toLocaleString('en')} messages/s`);
    await timed('ANALYZE', () => pool.query('ANALYZE'));
    return;
  }
  const client = await pool.connect();
  try {
    await timed('hourly attribution (temp)', () => client.query(LOAD_HOURLY, [CORP]));
    await timed('message_rollup', () => client.query(LOAD_ROLLUP, [CORP]));
    await timed('stats_counters (corp + employees)', () => client.query(LOAD_COUNTERS, [CORP]));
  } finally {
    client.release();
  }
  await timed('ANALYZE', () => pool.query('ANALYZE'));
}

export type ArchiveFigures = {
  messages: number;
  days: number;
  runs: number;
  queries: { name: string; ms: number; rows: number }[];
  diskBytesPerMessage: number;
  retentionDrop: { messages: number; ms: number };
};

async function main(): Promise<void> {
  const messages = arg('messages', 1_000_000);
  const days = arg('days', 30);
  const runs = arg('runs', 7);
  const fold = process.argv.includes('--fold');
  const base = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const schema = `bench_stats_${randomBytes(4).toString('hex')}`;
  const db = new BenchPostgres(base, schema);
  await db.connect();
  const pool = createPgPool(db.url, silentLogger, 2);
  try {
    await migrate(pool, silentLogger);
    // Whole UTC days ending at the last midnight, so every window below is day-aligned.
    const start = (Math.floor(Date.now() / 1000 / DAY_S) - days) * DAY_S;
    console.log(`loading schema ${schema}:`);
    await load(pool, messages, days, start, fold);
    const { rows: sizes } = await pool.query<{ name: string; rows: number; mb: number }>(
      `SELECT c.relname AS name, c.reltuples::bigint AS rows,
              round(pg_total_relation_size(c.oid) / 1048576.0)::int AS mb
         FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relname IN ('message_rollup', 'stats_counters')`,
      [schema],
    );
    for (const s of sizes) console.log(`  ${s.name}: ${s.rows.toLocaleString('en')} rows, ${s.mb} MB`);

    const store = new PgStatsStore(pool);
    const fromDay = start / DAY_S;
    const week = { fromDay: fromDay + days - 7, toDay: fromDay + days };
    const month = { fromDay, toDay: fromDay + days };
    const breakdown = (window: { fromDay: number; toDay: number }, by: BreakdownDimension[]) => () =>
      store.breakdown(CORP, { ...window, by: new Set(by), limit: 10_000_000 });
    const figures: [string, () => Promise<unknown>][] = [
      [
        `breakdown employee × type × day, ${days} days (rollup)`,
        breakdown(month, ['EMPLOYEE', 'MESSAGE_TYPE', 'DAY']),
      ],
      [
        `breakdown employee × type × day × direction, ${days} days (rollup)`,
        breakdown(month, ['EMPLOYEE', 'MESSAGE_TYPE', 'DAY', 'DIRECTION']),
      ],
      [
        'breakdown employee × type × day × direction, 7 days (rollup)',
        breakdown(week, ['EMPLOYEE', 'MESSAGE_TYPE', 'DAY', 'DIRECTION']),
      ],
      [
        `breakdown type × day × direction (corp), ${days} days (rollup)`,
        breakdown(month, ['MESSAGE_TYPE', 'DAY', 'DIRECTION']),
      ],
      [
        `same employee × type × day × direction, ${days} days, GROUP BY over messages`,
        async () =>
          (await pool.query(FROM_MESSAGES, [CORP, month.fromDay * DAY_S, month.toDay * DAY_S])).rows,
      ],
      [
        `Corp.statistics read (corp), ${days} days`,
        () => store.read(CORP, 'c', bucketsFor(start + 1800, start + days * DAY_S - 1800).buckets),
      ],
      [
        `Corp.statistics read (one employee), ${days} days`,
        () => store.read(CORP, 'e:wo0007', bucketsFor(start + 1800, start + days * DAY_S - 1800).buckets),
      ],
    ];
    console.log(`median of ${runs} runs after one warm-up:`);
    const measured: ArchiveFigures['queries'] = [];
    for (const [name, work] of figures) {
      const { ms, size } = await median(runs, work);
      measured.push({ name, ms, rows: size });
      console.log(`  ${name}: ${ms.toFixed(1)} ms (${size.toLocaleString('en')} rows/keys)`);
    }
    const bytes = await db.archiveBytes();
    console.log(
      `  archive on disk: ${(bytes / messages).toFixed(0)} B per message (table + indexes, every partition)`,
    );
    const index = new PgMessageIndex(pool, new PgPartitions(pool, silentLogger), silentLogger);
    const dropStart = performance.now();
    const dropped = await index.dropBefore(start + DAY_S);
    const dropMs = performance.now() - dropStart;
    console.log(
      `  retention: the oldest day partition (${dropped.toLocaleString('en')} messages) dropped in ${dropMs.toFixed(1)} ms`,
    );
    const jsonArg = process.argv.find((a) => a.startsWith('--json='));
    if (jsonArg) {
      const out: ArchiveFigures = {
        messages,
        days,
        runs,
        queries: measured,
        diskBytesPerMessage: bytes / messages,
        retentionDrop: { messages: dropped, ms: dropMs },
      };
      writeFileSync(jsonArg.slice('--json='.length), JSON.stringify(out));
    }
    if (!fold)
      console.log(
        'note: counters hold n, t<msgtype> and d<direction> for the corp and employees only (no reply counters, ' +
          'no chat/customer dimensions), so the read touches the same rows as production with ~1/3 of the keys.',
      );
  } finally {
    await pool.end();
    if (!process.argv.includes('--keep')) await db.drop();
    await db.close();
  }
}

await main();
