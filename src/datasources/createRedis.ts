import { Redis } from 'ioredis';
import type { Logger } from './Logger.js';

export type CreateRedisOptions = {
  /** How long to wait for the first connection, ms. Default 5000. */
  connectTimeoutMs?: number;
};

/**
 * An ioredis client that fails fast while Redis is down (no offline queue: commands reject
 * instead of piling up) and reconnects in the background with capped backoff. Resolves once
 * the client is ready; rejects when the first connection does not succeed in time.
 */
export async function createRedis(
  url: string,
  logger: Logger,
  options: CreateRedisOptions = {},
): Promise<Redis> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: connectTimeoutMs,
    // 100 ms, 200 ms, … capped at 2 s; never gives up, so a restarted Redis is picked up again.
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
  let lastLogged = 0;
  redis.on('error', (error: Error) => {
    // A dead Redis errors on every reconnect attempt; one line per 10 s is enough.
    if (Date.now() - lastLogged < 10_000) return;
    lastLogged = Date.now();
    logger.warn({ err: error.message }, 'redis connection error');
  });
  if (redis.status === 'ready') return redis;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      redis.disconnect();
      reject(new Error(`Redis at ${redactUrl(url)} not ready after ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
  return redis;
}

/** Redis URLs may carry a password. */
function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
