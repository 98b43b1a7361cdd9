import { Redis } from 'ioredis';

/**
 * Checks once whether the test Redis answers. Redis-backed suites read the verdict from
 * `process.env.TEST_REDIS_AVAILABLE`; under CI=true an unreachable Redis fails the run
 * instead of silently skipping those suites.
 */
export default async function globalSetup(): Promise<void> {
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
  let ok = false;
  try {
    await client.connect();
    ok = (await client.ping()) === 'PONG';
  } catch {
    ok = false;
  } finally {
    client.disconnect();
  }
  if (!ok) {
    const line = `!!! Redis at ${url} is unreachable: Redis-backed tests are SKIPPED !!!`;
    if (process.env['CI'] === 'true') throw new Error(`${line} (CI=true makes this a failure)`);
    console.warn(`\n${line}\n`);
  }
  process.env['TEST_REDIS_AVAILABLE'] = ok ? '1' : '0';
  process.env['REDIS_URL'] = url;
}
