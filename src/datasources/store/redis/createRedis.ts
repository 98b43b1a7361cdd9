import { Cluster, Redis } from 'ioredis';
import type { Logger } from '../../../logging/Logger.js';
import type { RedisClient } from './RedisClient.js';

export type CreateRedisOptions = {
  /** How long to wait for the first connection, ms. Default 5000. */
  connectTimeoutMs?: number;
};

/** A Redis Cluster's seed nodes (REDIS_CLUSTER_NODES); the client discovers the rest. */
export type RedisClusterTarget = { clusterNodes: { host: string; port: number }[] };

/**
 * An ioredis client that fails fast while Redis is down (no offline queue: commands reject
 * instead of piling up) and reconnects in the background with capped backoff. Resolves once
 * the client is ready; rejects when the first connection does not succeed in time. A URL gives
 * one node (`Redis`); cluster seed nodes give an ioredis `Cluster` with the same behaviour.
 */
export async function createRedis(url: string, logger: Logger, options?: CreateRedisOptions): Promise<Redis>;
export async function createRedis(
  target: string | RedisClusterTarget,
  logger: Logger,
  options?: CreateRedisOptions,
): Promise<RedisClient>;
export async function createRedis(
  target: string | RedisClusterTarget,
  logger: Logger,
  options: CreateRedisOptions = {},
): Promise<RedisClient> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  // 100 ms, 200 ms, … capped at 2 s; never gives up, so a restarted Redis is picked up again.
  const retry = (times: number) => Math.min(times * 100, 2000);
  const nodeOptions = { maxRetriesPerRequest: 1, connectTimeout: connectTimeoutMs };
  const redis: RedisClient =
    typeof target === 'string'
      ? new Redis(target, {
          ...nodeOptions,
          lazyConnect: false,
          enableOfflineQueue: false,
          retryStrategy: retry,
        })
      : new Cluster(target.clusterNodes, {
          lazyConnect: false,
          enableOfflineQueue: false,
          clusterRetryStrategy: retry,
          // Reads go to masters: a replica may lag a lock or a token just written.
          scaleReads: 'master',
          redisOptions: nodeOptions,
        });
  const url =
    typeof target === 'string' ? target : target.clusterNodes.map((n) => `${n.host}:${n.port}`).join(',');
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
