import type { Logger } from '../../logging/Logger.js';
import type { MessageIndex } from '../store/MessageIndex.js';
import type { CorpRegistry } from '../store/ports.js';
import type { RedisClient } from '../store/redis/RedisClient.js';
import { CachedCorpRegistry } from './CachedCorpRegistry.js';
import { CachedMessageIndex } from './CachedMessageIndex.js';
import { EVERY_CORP, InvalidationFeed } from './InvalidationFeed.js';
import { ReadCache, type ReadCacheOptions } from './ReadCache.js';

export type CachedReads = {
  /** The archive, its newest pages and counts cached; every write announced. */
  index: MessageIndex;
  /** The registry, every write announced; its reads exact. */
  corps: CorpRegistry;
  /** The corp record for GraphQL reads (cached): never read it to write it back. */
  corpReads: Pick<CorpRegistry, 'get'>;
  /** Null when there is none (memory stores, `ttlMs` 0). */
  cache: ReadCache | null;
  close(): void;
};

/**
 * Puts the replica's read cache (see ReadCache, InvalidationFeed) in front of the PostgreSQL
 * archive and registry. A page read costs three round trips to PostgreSQL (the corp record, the
 * page, the count), which held the message page to a quarter of bare yoga's throughput. The
 * memory stores (one process, no round trip) and `ttlMs` 0 get no cache.
 */
export function cacheReads(
  durable: { kind: 'postgres' | 'memory'; index: MessageIndex; corps: CorpRegistry },
  options: {
    redis: RedisClient | null;
    prefix: string;
    ttlMs: number;
    maxMessages: number;
    logger: Logger;
    onRead?: ReadCacheOptions['onRead'];
  },
): CachedReads {
  if (durable.kind !== 'postgres' || options.ttlMs === 0) {
    return {
      index: durable.index,
      corps: durable.corps,
      corpReads: durable.corps,
      cache: null,
      close: () => {},
    };
  }
  const cache = new ReadCache({
    ttlMs: options.ttlMs,
    maxWeight: options.maxMessages,
    ...(options.onRead ? { onRead: options.onRead } : {}),
  });
  const feed = new InvalidationFeed({ ...options, cache });
  const changed = (corpId: string | null) => feed.publish(corpId ?? EVERY_CORP);
  const corps = new CachedCorpRegistry(durable.corps, cache, changed);
  feed.start();
  return {
    index: new CachedMessageIndex(durable.index, cache, changed),
    corps,
    corpReads: { get: (corpId) => corps.cachedGet(corpId) },
    cache,
    close: () => feed.close(),
  };
}
