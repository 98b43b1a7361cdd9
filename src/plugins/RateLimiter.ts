import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisClient } from '../datasources/store/redis/RedisClient.js';
import type { Logger } from '../logging/Logger.js';

export type RateLimiterOptions = {
  /** Shared counters; null → this process only. */
  /** One node or a cluster: each client's counter is one key. */
  redis: RedisClient | null;
  prefix: string;
  /** Operations per client per window. */
  max: number;
  windowS: number;
  logger: Logger;
};

export type RateDecision = { allowed: boolean; count: number; retryAfterSeconds: number };

/**
 * The insurance limiter of the Redis one: it counts only while Redis is unreachable, and says so
 * (at most once per 10 s, an outage must not flood the log).
 */
class InsuranceMemory extends RateLimiterMemory {
  #lastWarned = 0;
  readonly #logger: Logger;

  constructor(opts: { keyPrefix: string; points: number; duration: number }, logger: Logger) {
    super(opts);
    this.#logger = logger;
  }

  override consume(key: string | number, points?: number, options?: Record<string, unknown>) {
    const now = Date.now();
    if (now - this.#lastWarned >= 10_000) {
      this.#lastWarned = now;
      this.#logger.warn({}, 'rate limit store unavailable; counting locally');
    }
    return super.consume(key, points, options);
  }
}

/**
 * Operation counter per client, shared by every replica through Redis (rate-limiter-flexible:
 * one Lua INCRBY + TTL per operation; the window starts at a client's first operation). While
 * Redis is unreachable, `rejectIfRedisNotReady` skips it at once (no queueing behind ioredis's
 * reconnect) and the insurance limiter counts each process alone in memory, so an outage neither
 * fails every request nor lifts the limit.
 */
export class RateLimiter {
  readonly #limiter: RateLimiterRedis | RateLimiterMemory;

  constructor(options: RateLimiterOptions) {
    const opts = { keyPrefix: `${options.prefix}ratelimit`, points: options.max, duration: options.windowS };
    this.#limiter = options.redis
      ? new RateLimiterRedis({
          ...opts,
          storeClient: options.redis,
          rejectIfRedisNotReady: true,
          insuranceLimiter: new InsuranceMemory(opts, options.logger),
        })
      : new RateLimiterMemory(opts);
  }

  async hit(clientId: string): Promise<RateDecision> {
    try {
      const res = await this.#limiter.consume(clientId);
      return { allowed: true, count: res.consumedPoints, retryAfterSeconds: retryAfter(res) };
    } catch (rejection) {
      // A RateLimiterRes is "over the limit"; anything else is a store failure the insurance
      // limiter could not absorb, which is a bug worth surfacing, not a reason to refuse.
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      return { allowed: false, count: rejection.consumedPoints, retryAfterSeconds: retryAfter(rejection) };
    }
  }
}

function retryAfter(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}
