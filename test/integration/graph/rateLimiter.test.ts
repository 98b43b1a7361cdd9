import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../src/datasources/Logger.js';
import { RateLimiter } from '../../../src/plugins/RateLimiter.js';
import { purgePrefix, redisAvailable, testRedisUrl, uniquePrefix } from '../../helpers/redis.js';

const T0 = 1_800_000_000_000;

describe('RateLimiter without Redis', () => {
  it('counts each process alone, per client and window', async () => {
    let now = T0;
    const limiter = new RateLimiter({
      redis: null,
      prefix: 'p:',
      max: 2,
      windowS: 60,
      logger: silentLogger,
      now: () => now,
    });
    const counts = await Promise.all([
      limiter.hit('a'),
      limiter.hit('a'),
      limiter.hit('a'),
      limiter.hit('b'),
    ]);
    expect(counts.map((d) => [d.count, d.allowed])).toEqual([
      [1, true],
      [2, true],
      [3, false],
      [1, true],
    ]);
    now += 60_000;
    expect((await limiter.hit('a')).count).toBe(1);
  });
});

describe.skipIf(!redisAvailable)('RateLimiter on Redis', () => {
  const prefix = uniquePrefix('ratelimit');
  const redis = new Redis(testRedisUrl);
  afterAll(async () => {
    redis.disconnect();
    await purgePrefix(prefix);
  });
  const limiter = (client: Redis, max: number) =>
    new RateLimiter({ redis: client, prefix, max, windowS: 60, logger: silentLogger, now: () => T0 });

  it('one increment for a burst, and every operation still gets its own count', async () => {
    await redis.ping();
    const evalsha = vi.spyOn(redis, 'evalsha');
    const decisions = await Promise.all(Array.from({ length: 10 }, () => limiter(redis, 7).hit('burst')));
    expect(decisions.map((d) => d.count)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(7);
    expect(evalsha).toHaveBeenCalledTimes(10);
    evalsha.mockClear();
    // The same limiter batches: ten hits in one turn are one command.
    const one = limiter(redis, 100);
    const burst = await Promise.all(Array.from({ length: 10 }, () => one.hit('burst')));
    expect(burst.map((d) => d.count)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(evalsha).toHaveBeenCalledTimes(1);
    evalsha.mockRestore();
    const key = `${prefix}ratelimit:burst:${Math.floor(T0 / 60_000)}`;
    expect(await redis.get(key)).toBe('20');
    expect(await redis.pttl(key)).toBeGreaterThan(60_000);
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

  it('loads the script when Redis does not know it', async () => {
    const evalsha = vi
      .spyOn(redis, 'evalsha')
      .mockRejectedValueOnce(new Error('NOSCRIPT No matching script'));
    const evalSpy = vi.spyOn(redis, 'eval');
    expect((await limiter(redis, 5).hit('noscript')).count).toBe(1);
    expect(evalSpy).toHaveBeenCalledTimes(1);
    expect((await limiter(redis, 5).hit('noscript')).count).toBe(2);
    evalsha.mockRestore();
    evalSpy.mockRestore();
  });
});
