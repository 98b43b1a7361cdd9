import type { KeyValueStore } from '../ports.js';
import type { RedisClient } from './RedisClient.js';
import { scanPrefix } from './scanPrefix.js';
import { unlinkKeys } from './unlinkKeys.js';

/** Compare-and-delete, atomically: the safe release of a lock another holder may have taken over. */
const DELETE_IF_EQUALS = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** Compare-and-renew: a lease holder extends its lock only while it still owns it. */
const EXTEND_IF_EQUALS = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

export type RedisKeyValueStoreOptions = {
  /** Prepended to every key (config.redis.prefix); required so deployments can share a Redis. */
  prefix: string;
  /** Close the client on `close()`. Default false: the factory that made the client closes it. */
  ownsClient?: boolean;
};

export class RedisKeyValueStore implements KeyValueStore {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #ownsClient: boolean;

  constructor(redis: RedisClient, options: RedisKeyValueStoreOptions) {
    if (!options.prefix) throw new Error('RedisKeyValueStore needs a non-empty key prefix (REDIS_PREFIX)');
    this.#redis = redis;
    this.#prefix = options.prefix;
    this.#ownsClient = options.ownsClient ?? false;
  }

  async get(key: string): Promise<string | null> {
    return this.#redis.get(this.#prefix + key);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs === undefined) await this.#redis.set(this.#prefix + key, value);
    else await this.#redis.set(this.#prefix + key, value, 'PX', checkTtl(ttlMs));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const result = await this.#redis.set(this.#prefix + key, value, 'PX', checkTtl(ttlMs), 'NX');
    return result === 'OK';
  }

  async deleteIfEquals(key: string, value: string): Promise<boolean> {
    const deleted = await this.#redis.eval(DELETE_IF_EQUALS, 1, this.#prefix + key, value);
    return deleted === 1;
  }

  async extendIfEquals(key: string, value: string, ttlMs: number): Promise<boolean> {
    const extended = await this.#redis.eval(EXTEND_IF_EQUALS, 1, this.#prefix + key, value, checkTtl(ttlMs));
    return extended === 1;
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    // Keys of one call may hash to different cluster slots.
    await unlinkKeys(
      this.#redis,
      keys.map((k) => this.#prefix + k),
    );
  }

  async keys(prefix: string): Promise<string[]> {
    const found = new Set<string>();
    for await (const batch of scanPrefix(this.#redis, this.#prefix + prefix)) {
      for (const key of batch) found.add(key.slice(this.#prefix.length));
    }
    return [...found];
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  async close(): Promise<void> {
    if (this.#ownsClient) await this.#redis.quit();
  }
}

function checkTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`ttlMs must be a positive number of milliseconds, got ${ttlMs}`);
  }
  return Math.ceil(ttlMs);
}
