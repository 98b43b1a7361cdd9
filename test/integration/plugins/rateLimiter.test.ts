import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { type Logger, silentLogger } from '../../../src/logging/Logger.js';
import { RateLimiter } from '../../../src/plugins/RateLimiter.js';
import { purgePrefix, testRedisUrl, uniquePrefix } from '../../helpers/redis.js';
import { freePort, redisServerAvailable, startOwnRedis } from '../../reliability/ownRedis.js';

const hits = (limiter: RateLimiter, clientId: string, n: number) =>
  Promise.all(Array.from({ length: n }, () => limiter.hit(clientId)));

/** A warn-recording logger: the fallback must say it is counting alone. */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warnings, warn: (_obj, msg) => warnings.push(msg ?? '') };
}

describe('RateLimiter without Redis', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts each process alone, per client and window', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const limiter = new RateLimiter({ redis: null, prefix: 'p:', max: 2, windowS: 60, logger: silentLogger });
    const decisions = [...(await hits(limiter, 'a', 3)), await limiter.hit('b')];
    expect(decisions.map((d) => [d.count, d.allowed])).toEqual([
      [1, true],
      [2, true],
      [3, false],
      [1, true],
    ]);
    expect(decisions[2]!.retryAfterSeconds).toBe(60);
    vi.advanceTimersByTime(30_000);
    expect((await limiter.hit('a')).retryAfterSeconds).toBe(30);
    vi.advanceTimersByTime(30_000);
    expect((await limiter.hit('a')).count).toBe(1);
  });
});

describe('RateLimiter on Redis', () => {
  const prefix = uniquePrefix('ratelimit');
  const redis = new Redis(testRedisUrl);
  afterAll(async () => {
    redis.disconnect();
    await purgePrefix(prefix);
  });
  const limiter = (client: Redis, max: number, logger: Logger = silentLogger) =>
    new RateLimiter({ redis: client, prefix, max, windowS: 60, logger });

  it('counts in Redis with the window as expiry', async () => {
    await redis.ping();
    const decisions = await hits(limiter(redis, 7), 'burst', 10);
    expect(decisions.map((d) => d.count).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(7);
    const key = `${prefix}ratelimit:burst`;
    expect(await redis.get(key)).toBe('10');
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('replicas share the count', async () => {
    const other = new Redis(testRedisUrl);
    try {
      await other.ping();
      const a = limiter(redis, 3);
      const b = limiter(other, 3);
      expect((await a.hit('shared')).count).toBe(1);
      expect((await b.hit('shared')).count).toBe(2);
      const [x, y] = await Promise.all([a.hit('shared'), b.hit('shared')]);
      expect([x.count, y.count].sort()).toEqual([3, 4]);
      expect([x.allowed, y.allowed].sort()).toEqual([false, true]);
    } finally {
      other.disconnect();
    }
  });

  it('Redis unreachable: requests are limited in memory, none fails, and the fallback is logged', async () => {
    const dead = new Redis({
      port: await freePort(),
      host: '127.0.0.1',
      maxRetriesPerRequest: 0,
      retryStrategy: () => 200,
    });
    dead.on('error', () => undefined);
    try {
      const logger = recordingLogger();
      const decisions = await hits(limiter(dead, 3, logger), 'offline', 5);
      expect(decisions.map((d) => [d.count, d.allowed])).toEqual([
        [1, true],
        [2, true],
        [3, true],
        [4, false],
        [5, false],
      ]);
      expect(decisions[4]!.retryAfterSeconds).toBeGreaterThan(0);
      // Throttled: one warning for the whole burst, not one per request.
      expect(logger.warnings).toEqual(['rate limit store unavailable; counting locally']);
    } finally {
      dead.disconnect();
    }
  });
});

describe.skipIf(!redisServerAvailable)('RateLimiter when its Redis stops', () => {
  it('goes on counting in memory while Redis is down, and back in Redis once it is up', async () => {
    const own = await startOwnRedis();
    const client = new Redis(own.url, { maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    client.on('error', () => undefined);
    try {
      await client.ping();
      const limiter = new RateLimiter({
        redis: client,
        prefix: 'rl:',
        max: 2,
        windowS: 60,
        logger: silentLogger,
      });
      expect((await limiter.hit('c')).count).toBe(1);
      const closed = new Promise((resolve) => client.once('close', resolve));
      await own.stop();
      await closed;
      const down = await hits(limiter, 'c', 3);
      // Memory starts its own count: the replica limits alone rather than failing requests.
      expect(down.map((d) => [d.count, d.allowed])).toEqual([
        [1, true],
        [2, true],
        [3, false],
      ]);
      const ready = new Promise((resolve) => client.once('ready', resolve));
      await own.start();
      await ready;
      // SHUTDOWN SAVE kept Redis's count of 1: the shared count resumes from it.
      expect((await limiter.hit('c')).count).toBe(2);
      expect(await client.get('rl:ratelimit:c')).toBe('2');
    } finally {
      client.disconnect();
      await own.destroy();
    }
  }, 30_000);
});
