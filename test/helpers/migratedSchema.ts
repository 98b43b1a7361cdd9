import { createPgPool, type PgPool } from '../../src/datasources/store/postgres/createPgPool.js';
import { migrate } from '../../src/datasources/store/postgres/migrate.js';
import { silentLogger } from '../../src/logging/Logger.js';
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

/** One store implementation of a contract suite: set up once, a fresh store per test. */
export type ContractImplementation<S> = {
  setup(): Promise<void>;
  /** A store with nothing in it. */
  fresh(): Promise<S>;
  teardown(): Promise<void>;
};

/**
 * The memory and the PostgreSQL implementation of a store, for a contract suite: PostgreSQL gets
 * its own migrated schema for the file, and `tables` are emptied before each test.
 */
export function contractImplementations<S>(
  label: string,
  tables: readonly string[],
  make: { memory(): S; postgres(pool: PgPool): S },
): [string, ContractImplementation<S>][] {
  let db: MigratedSchema | undefined;
  return [
    ['memory', { setup: async () => {}, fresh: async () => make.memory(), teardown: async () => {} }],
    [
      'postgres',
      {
        setup: async () => {
          db = await migratedSchema(label);
        },
        fresh: async () => {
          if (!db) throw new Error(`${label}: setup() did not run`);
          await db.truncate(tables);
          return make.postgres(db.pool);
        },
        teardown: async () => {
          await db?.close();
        },
      },
    ],
  ];
}
