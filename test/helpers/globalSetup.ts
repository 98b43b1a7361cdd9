import { Redis } from 'ioredis';
import pg from 'pg';

const START_REDIS = 'redis-server --daemonize yes';
const START_POSTGRES = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

/**
 * Checks once that the test Redis and PostgreSQL answer, before any test runs. When one does
 * not, the run stops at once with the command that starts it: every integration suite needs
 * both (the gateway's store of record is PostgreSQL, its coordination Redis), so a half-run
 * that skips most of the suite would only hide the problem.
 */
export default async function globalSetup(): Promise<void> {
  const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const missing: string[] = [];
  if (!(await redisAnswers(redisUrl)))
    missing.push(`Redis at ${redisUrl} does not answer; start it: ${START_REDIS}`);
  const pgError = await postgresError(databaseUrl);
  if (pgError)
    missing.push(`PostgreSQL at ${databaseUrl} does not answer (${pgError}); start it: ${START_POSTGRES}`);
  if (missing.length > 0) {
    throw new Error(
      `\n${missing.map((m) => `!!! ${m}`).join('\n')}\n(or point REDIS_URL / DATABASE_URL at running servers)\n`,
    );
  }
  process.env['REDIS_URL'] = redisUrl;
  process.env['DATABASE_URL'] = databaseUrl;
}

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function postgresError(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}
