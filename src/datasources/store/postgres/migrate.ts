import { readdir, readFile } from 'node:fs/promises';
import type { Logger } from '../../../logging/Logger.js';
import type { PgPool } from './createPgPool.js';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

export type Migration = { version: number; name: string; sql: string };

/** The SQL files of `migrations/`, `NNN_name.sql`, in version order. */
export async function readMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.slice(0, 3)),
      name: file.slice(4, -4),
      sql: await readFile(new URL(file, dir), 'utf8'),
    })),
  );
}

/**
 * Applies the migrations not yet applied, each in its own transaction, under a session advisory
 * lock keyed by the current schema: replicas starting together run them once, one after the
 * other, and a replica that finds them applied goes on at once. A failed migration rolls back
 * and stops the start (nothing half-applied).
 */
export async function migrate(pool: PgPool, logger: Logger, migrations?: Migration[]): Promise<number[]> {
  const wanted = migrations ?? (await readMigrations());
  const client = await pool.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext('wag:migrations:' || current_schema()))`);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const done = new Set(rows.map((r) => r.version));
      const applied: number[] = [];
      for (const m of wanted) {
        if (done.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
            m.version,
            m.name,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new Error(`migration ${m.version}_${m.name} failed: ${(error as Error).message}`);
        }
        applied.push(m.version);
        logger.info({ version: m.version, name: m.name }, 'database migration applied');
      }
      return applied;
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext('wag:migrations:' || current_schema()))`);
    }
  } finally {
    client.release();
  }
}
