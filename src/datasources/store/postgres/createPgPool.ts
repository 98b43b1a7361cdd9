import pg from 'pg';
import type { Logger } from '../../../logging/Logger.js';

export type PgPool = pg.Pool;

// bigint (int8) columns come back as strings by default; every bigint here (seq, unix times,
// counts) stays far below 2^53, so numbers are exact and simpler for every caller.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * The PostgreSQL pool of one process. `DATABASE_URL` may carry libpq options, e.g.
 * `?options=-c%20search_path%3Dtenant_a` to keep a deployment (or a test file) in its own schema.
 */
export function createPgPool(url: string, logger: Logger, max = 10): PgPool {
  const pool = new pg.Pool({
    connectionString: withGenericPlans(url),
    max,
    // A dead server must fail a request, not hang it: the caller maps this to STORE_UNAVAILABLE.
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    application_name: 'wecom-archive-gateway',
  });
  // An idle client losing its connection (server restart) is removed by the pool; log, never crash.
  pool.on('error', (error) => logger.warn({ err: error.message }, 'postgres idle client error'));
  return pool;
}

/**
 * Planning a query over the day partitions of `messages` cost more than running it (measured 6 ms
 * planning against 1.3 ms execution for a page under load): the archive's statements are prepared
 * by name (see PgMessageIndex) and every session reuses one generic plan with run-time partition
 * pruning. Set as a startup option, added to any `options` the URL already carries.
 */
function withGenericPlans(url: string): string {
  const parsed = new URL(url);
  const given = parsed.searchParams.get('options');
  parsed.searchParams.set(
    'options',
    [given, '-c plan_cache_mode=force_generic_plan'].filter(Boolean).join(' '),
  );
  return parsed.toString();
}

/** Runs `work` in one transaction on one client; rolls back on any error. */
export async function inTransaction<T>(
  pool: PgPool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
