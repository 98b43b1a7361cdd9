import { silentLogger } from '../../src/datasources/Logger.js';
import { createPgPool, type PgPool } from '../../src/datasources/postgres/createPgPool.js';
import { migrate } from '../../src/datasources/postgres/migrate.js';
import { freshSchema, type TestSchema } from './postgres.js';

export type MigratedSchema = TestSchema & {
  pool: PgPool;
  /** Empties `tables` (between tests sharing the schema). */
  truncate(tables: readonly string[]): Promise<void>;
  /** Closes the pool and drops the schema. */
  close(): Promise<void>;
};

/** A fresh schema with every migration applied, and a pool on it. */
export async function migratedSchema(label: string): Promise<MigratedSchema> {
  const schema = await freshSchema(label);
  const pool = createPgPool(schema.url, silentLogger, 4);
  try {
    await migrate(pool, silentLogger);
  } catch (error) {
    await pool.end();
    await schema.drop();
    throw error;
  }
  return {
    ...schema,
    pool,
    truncate: async (tables) => {
      await pool.query(`TRUNCATE ${tables.join(', ')}`);
    },
    close: async () => {
      await pool.end();
      await schema.drop();
    },
  };
}
