import { createHash } from 'node:crypto';
import type { Logger } from '../datasources/Logger.js';
import type { RedisClient } from '../datasources/RedisClient.js';

export type RateLimiterOptions = {
  /** Shared counters; null → this process only. */
  redis: RedisClient | null;
  prefix: string;
  /** Operations per client per window. */
  max: number;
  windowS: number;
  logger: Logger;
  now?: () => number;
};

export type RateDecision = { allowed: boolean; count: number; retryAfterSeconds: number };

/** INCRBY and (re)arm the expiry in one command; the count after the increment. */
const INCR_SCRIPT = `local n = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return n`;
const INCR_SHA = createHash('sha1').update(INCR_SCRIPT).digest('hex');

type Batch = {
  clientId: string;
  window: number;
  windowMs: number;
  waiters: ((count: number) => void)[];
};

/**
 * Fixed-window operation counter per client, shared by every replica through Redis. While
 * Redis is unreachable each process counts alone in memory, so a Redis outage neither blocks
 * every client nor lifts the limit.
 *
 * The operations of one client that arrive in the same event-loop turn share one increment (one
 * EVALSHA of INCRBY n + PEXPIRE instead of a MULTI per operation): each still gets its own
 * consecutive count, exactly as n separate INCRs would have numbered them.
 */
export class RateLimiter {
  readonly #o: RateLimiterOptions;
  readonly #now: () => number;
  readonly #local = new Map<string, { window: number; count: number }>();
  readonly #pending = new Map<string, Batch>();
  #lastWarned = 0;

  constructor(options: RateLimiterOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async hit(clientId: string): Promise<RateDecision> {
    const windowMs = this.#o.windowS * 1000;
    const now = this.#now();
    const window = Math.floor(now / windowMs);
    const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000));
    const count = await this.#count(clientId, window, windowMs);
    return { allowed: count <= this.#o.max, count, retryAfterSeconds };
  }

  #count(clientId: string, window: number, windowMs: number): number | Promise<number> {
    const { redis, prefix } = this.#o;
    if (redis?.status !== 'ready') return this.#countLocally(clientId, window);
    const key = `${prefix}ratelimit:${clientId}:${window}`;
    let batch = this.#pending.get(key);
    if (!batch) {
      batch = { clientId, window, windowMs, waiters: [] };
      this.#pending.set(key, batch);
      if (this.#pending.size === 1) setImmediate(() => this.#flush());
    }
    const waiters = batch.waiters;
    return new Promise<number>((resolve) => waiters.push(resolve));
  }

  #flush(): void {
    const batches = [...this.#pending];
    this.#pending.clear();
    for (const [key, batch] of batches) void this.#send(key, batch);
  }

  async #send(key: string, batch: Batch): Promise<void> {
    const n = batch.waiters.length;
    let total: number | null = null;
    try {
      total = await this.#incrBy(key, n, batch.windowMs + 1000);
    } catch (error) {
      this.#warn(error);
    }
    batch.waiters.forEach((resolve, i) => {
      resolve(total === null ? this.#countLocally(batch.clientId, batch.window) : total - n + i + 1);
    });
  }

  async #incrBy(key: string, n: number, ttlMs: number): Promise<number | null> {
    const redis = this.#o.redis!;
    let reply: unknown;
    try {
      reply = await redis.evalsha(INCR_SHA, 1, key, n, ttlMs);
    } catch (error) {
      if (!/NOSCRIPT/.test((error as Error).message)) throw error;
      reply = await redis.eval(INCR_SCRIPT, 1, key, n, ttlMs);
    }
    return typeof reply === 'number' ? reply : null;
  }

  #countLocally(clientId: string, window: number): number {
    const entry = this.#local.get(clientId);
    if (entry && entry.window === window) return ++entry.count;
    this.#local.set(clientId, { window, count: 1 });
    if (this.#local.size > 10_000) {
      for (const [id, e] of this.#local) if (e.window !== window) this.#local.delete(id);
    }
    return 1;
  }

  #warn(error: unknown): void {
    if (this.#now() - this.#lastWarned < 10_000) return;
    this.#lastWarned = this.#now();
    this.#o.logger.warn({ err: (error as Error).message }, 'rate limit store unavailable; counting locally');
  }
}
