import { Redis } from 'ioredis';

/** The bench's own Redis connection: purge, memory accounting and cold-token resets under one prefix. */
export class BenchRedis {
  readonly redis: Redis;

  constructor(
    url: string,
    readonly prefix: string,
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  }

  async connect(): Promise<void> {
    await this.redis.connect();
    await this.redis.ping();
  }

  async keys(pattern: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', this.prefix + pattern, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found;
  }

  async purge(pattern = '*'): Promise<number> {
    const keys = await this.keys(pattern);
    for (let i = 0; i < keys.length; i += 500) await this.redis.unlink(...keys.slice(i, i + 500));
    return keys.length;
  }

  /** Messages in the index of a corp (its seq counter). */
  async indexed(corpId: string): Promise<number> {
    return Number((await this.redis.get(`${this.prefix}ix:{${corpId}}:n`)) ?? 0);
  }

  /** Bytes Redis attributes to every index key (MEMORY USAGE, all elements sampled). */
  async indexBytes(): Promise<{ bytes: number; keys: number }> {
    let bytes = 0;
    const keys = await this.keys('ix:*');
    for (const key of keys) bytes += Number((await this.redis.memory('USAGE', key, 'SAMPLES', 0)) ?? 0);
    return { bytes, keys: keys.length };
  }

  async usedMemory(): Promise<number> {
    const info = await this.redis.info('memory');
    return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
