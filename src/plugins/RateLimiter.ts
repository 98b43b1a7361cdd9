import type { Redis } from 'ioredis';
import type { Logger } from '../datasources/Logger.js';

export type RateLimiterOptions = {
  /** Shared counters; null → this process only. */
  redis: Redis | null;
  prefix: string;
  /** Operations per client per window. */
  max: number;
  windowS: number;
  logger: Logger;
  now?: () => number;
};

export type RateDecision = { allowed: boolean; count: number; retryAfterSeconds: number };

/**
 * Fixed-window operation counter per client, shared by every replica through Redis (one INCR
 * per operation). While Redis is unreachable each process counts alone in memory, so a Redis
 * outage neither blocks every client nor lifts the limit.
 */
export class RateLimiter {
  readonly #o: RateLimiterOptions;
  readonly #now: () => number;
  readonly #local = new Map<string, { window: number; count: number }>();
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

  async #count(clientId: string, window: number, windowMs: number): Promise<number> {
    const { redis, prefix } = this.#o;
    if (redis && redis.status === 'ready') {
      try {
        const key = `${prefix}ratelimit:${clientId}:${window}`;
        const replies = await redis
          .multi()
          .incr(key)
          .pexpire(key, windowMs + 1000)
          .exec();
        const count = replies?.[0]?.[1];
        if (typeof count === 'number') return count;
      } catch (error) {
        this.#warn(error);
      }
    }
    return this.#countLocally(clientId, window);
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
