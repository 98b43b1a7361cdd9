import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const testDatabaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type TestSchema = {
  /** DATABASE_URL that puts every table of the gateway in this schema. */
  url: string;
  schema: string;
  drop(): Promise<void>;
};

/** `url` with `search_path` set to `schema` (libpq `options`, which node-postgres passes on). */
export function urlWithSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/**
 * A fresh schema per test file (or per test), so parallel files sharing one server never see
 * each other's rows; `drop()` removes it with everything in it.
 */
export async function freshSchema(label: string): Promise<TestSchema> {
  const schema = `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE SCHEMA ${schema}`);
  return {
    url: urlWithSchema(testDatabaseUrl, schema),
    schema,
    drop: () => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
