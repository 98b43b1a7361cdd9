import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { MemoryKeyValueStore } from '../../../../src/datasources/store/memory/MemoryKeyValueStore.js';
import { createRedis } from '../../../../src/datasources/store/redis/createRedis.js';
import { RedisKeyValueStore } from '../../../../src/datasources/store/redis/RedisKeyValueStore.js';
import { silentLogger } from '../../../../src/logging/Logger.js';
import { purgePrefix, testRedisUrl, uniquePrefix } from '../../../helpers/redis.js';
import { kvContract } from './kvContract.js';

kvContract('memory', async () => {
  const kv = new MemoryKeyValueStore();
  return { kv, dispose: () => kv.close() };
});

describe('redis', () => {
  kvContract('redis', async () => {
    const prefix = uniquePrefix('kv');
    const redis = await createRedis(testRedisUrl, silentLogger);
    const kv = new RedisKeyValueStore(redis, { prefix, ownsClient: true });
    return {
      kv,
      dispose: async () => {
        await kv.close();
        await purgePrefix(prefix);
      },
    };
  });

  it('keeps every key under the configured prefix and apart from other prefixes', async () => {
    const [p1, p2] = [uniquePrefix('kv1'), uniquePrefix('kv2')];
    const redis = await createRedis(testRedisUrl, silentLogger);
    const a = new RedisKeyValueStore(redis, { prefix: p1 });
    const b = new RedisKeyValueStore(redis, { prefix: p2 });
    await a.set('k', 'from-a');
    expect(await b.get('k')).toBeNull();
    expect(await redis.get(`${p1}k`)).toBe('from-a');
    expect(await b.keys('')).toEqual([]);
    await redis.quit();
    await purgePrefix(p1);
  });

  it('refuses an empty prefix', () => {
    const redis = new Redis(testRedisUrl, { lazyConnect: true });
    expect(() => new RedisKeyValueStore(redis, { prefix: '' })).toThrow(/non-empty key prefix/);
    redis.disconnect();
  });
});

describe('createRedis', () => {
  it('fails fast when Redis is unreachable', async () => {
    await expect(createRedis('redis://127.0.0.1:1', silentLogger, { connectTimeoutMs: 300 })).rejects.toThrow(
      /not ready after 300 ms/,
    );
  });
});
