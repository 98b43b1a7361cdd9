import pg from 'pg';
import { MESSAGE_PAGE } from './operations.js';
import { BenchPostgres } from './postgresTools.js';
import { freePort, waitHttpOk } from './processes.js';
import { BENCH_KEY, simApi, startGateway, startSimulator, waitArchived } from './stack.js';

/**
 * `npx tsx bench/pageQueries.ts`: how many PostgreSQL transactions one message-page request costs
 * once warm (the read cache should leave only background work): a gateway and the simulator as
 * in `npm run bench`, 200 warm-up pages, then 3,000 pages 16 at a time, and the database's
 * transaction count before and after. Figures only; BENCHMARKS.md is left alone.
 */
const base = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const stamp = Date.now();
const db = new BenchPostgres(base, `bench_pages_${stamp}`);
await db.connect();
const [simPort, gwPort] = [await freePort(), await freePort()];
const simUrl = `http://127.0.0.1:${simPort}`;
const gateway = await startGateway({
  port: gwPort,
  simUrl,
  redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  prefix: `bench:pages:${stamp}:`,
  databaseUrl: db.url,
  waitPath: '/health',
});
const sim = await startSimulator({ port: simPort, callbackUrl: `${gateway.url}/wecom/callback` });
const pool = new pg.Pool({ connectionString: base, max: 1 });
try {
  await waitHttpOk(`${gateway.url}/ready`, performance.now(), 30_000, gateway.child);
  const corpId = (await waitArchived(gateway.url, simApi(simUrl)))[0]!.corpId;
  const transactions = async () =>
    Number(
      (
        await pool.query<{ n: string }>(
          'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
        )
      ).rows[0]!.n,
    );
  const page = async () => {
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` },
      body: JSON.stringify({ query: MESSAGE_PAGE, variables: { corpId } }),
    });
    const body = (await res.json()) as { errors?: unknown[] };
    if (body.errors) throw new Error(`page failed: ${JSON.stringify(body.errors)}`);
  };
  for (let i = 0; i < 200; i++) await page();
  const pages = 3000;
  const before = await transactions();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = 0; i < pages / 16; i++) await page();
    }),
  );
  const ms = performance.now() - started;
  // Less the count's own transaction.
  const spent = (await transactions()) - before - 1;
  console.log(
    `${pages} pages in ${ms.toFixed(0)} ms (${((pages / ms) * 1000).toFixed(0)} req/s); ` +
      `${spent} PostgreSQL transactions meanwhile = ${(spent / pages).toFixed(2)} per page`,
  );
} finally {
  await gateway.child.stop();
  await sim.stop();
  await pool.end();
  await db.client.query(`DROP SCHEMA ${db.schema} CASCADE`);
  await db.client.end();
}
