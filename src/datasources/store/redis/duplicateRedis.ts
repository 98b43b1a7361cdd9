import type { RedisOptions } from 'ioredis';
import { isCluster, type RedisClient } from './RedisClient.js';

/**
 * A second connection like `client` with `overrides` (e.g. an offline queue for a subscriber).
 * `Redis.duplicate(options)` and `Cluster.duplicate(startupNodes, options)` differ: passing
 * node options as the cluster's first argument would replace its startup nodes. The offline
 * queue is a cluster-level option there (ClusterOptions.enableOfflineQueue).
 */
export function duplicateRedis(
  client: RedisClient,
  overrides: Pick<RedisOptions, 'enableOfflineQueue' | 'enableReadyCheck'>,
): RedisClient {
  if (!isCluster(client)) return client.duplicate(overrides);
  return client.duplicate(undefined, { ...client.options, ...overrides });
}
