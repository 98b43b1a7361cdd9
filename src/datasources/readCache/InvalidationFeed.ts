import type { Logger } from '../../logging/Logger.js';
import { duplicateRedis } from '../store/redis/duplicateRedis.js';
import type { RedisClient } from '../store/redis/RedisClient.js';
import type { ReadCache } from './ReadCache.js';

/** Published instead of a corp id when every corp changed (archive retention). */
export const EVERY_CORP = '*';

/**
 * Carries "this corp changed" between replicas on one Redis channel (`<prefix>readcache`, the
 * corp id as the message), on a subscriber connection of its own, and keeps the cache's
 * `available` flag true only while that subscription is confirmed: while the connection is
 * down every read goes to the store, and on reconnection everything is dropped before the cache
 * serves again (what was published meanwhile is lost). A publish lost on the way (Redis down at
 * the publisher, a subscriber connection dying unnoticed) is bounded by the cache's TTL.
 * Without Redis (one process) the cache is always available and only this process's own changes
 * matter.
 */
export class InvalidationFeed {
  readonly #channel: string;
  readonly #redis: RedisClient | null;
  readonly #subscriber: RedisClient | null;
  readonly #cache: ReadCache;
  readonly #logger: Logger;
  #closed = false;

  constructor(options: { redis: RedisClient | null; prefix: string; cache: ReadCache; logger: Logger }) {
    this.#channel = `${options.prefix}readcache`;
    this.#redis = options.redis;
    this.#cache = options.cache;
    this.#logger = options.logger;
    // An offline queue, so the SUBSCRIBE waits for the connection; no ready check: INFO is
    // refused in subscriber mode (see EventBus).
    this.#subscriber = options.redis
      ? duplicateRedis(options.redis, { enableOfflineQueue: true, enableReadyCheck: false })
      : null;
  }

  /** Subscribes; the cache turns available once Redis confirmed the subscription. */
  start(): void {
    const subscriber = this.#subscriber;
    if (!subscriber) {
      this.#cache.available = true;
      return;
    }
    subscriber.on('error', () => {});
    subscriber.on('message', (channel: string, corpId: string) => {
      if (channel !== this.#channel) return;
      if (corpId === EVERY_CORP) this.#cache.invalidateAll();
      else this.#cache.invalidate(corpId);
    });
    const down = () => {
      if (this.#cache.available) this.#logger.debug({}, 'read cache off: invalidation feed disconnected');
      this.#cache.available = false;
    };
    subscriber.on('close', down);
    subscriber.on('end', down);
    subscriber.on('reconnecting', down);
    // After a reconnection ioredis re-sends SUBSCRIBE before 'ready'; a second SUBSCRIBE of the
    // same channel is answered after it, so its answer proves the feed is live again.
    subscriber.on('ready', () => void this.#confirm());
    void this.#confirm();
  }

  /** Tells every replica (this one included) that the corp changed; `EVERY_CORP` for all. */
  publish(corpId: string): void {
    if (corpId === EVERY_CORP) this.#cache.invalidateAll();
    else this.#cache.invalidate(corpId);
    // Dropped while Redis is down: the others' cache is off then, or bounded by its TTL.
    this.#redis?.publish(this.#channel, corpId).catch(() => 0);
  }

  close(): void {
    this.#closed = true;
    this.#cache.available = false;
    this.#subscriber?.disconnect();
  }

  async #confirm(): Promise<void> {
    try {
      await this.#subscriber!.subscribe(this.#channel);
    } catch {
      return; // the next 'ready' tries again
    }
    if (this.#closed || this.#subscriber!.status !== 'ready') return;
    this.#cache.invalidateAll();
    if (!this.#cache.available) this.#logger.debug({}, 'read cache on: invalidation feed subscribed');
    this.#cache.available = true;
  }
}
