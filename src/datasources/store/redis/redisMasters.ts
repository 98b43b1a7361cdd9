import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from './RedisClient.js';

/**
 * The nodes that hold keys: every master of a cluster, or the one node. A SCAN sees only the
 * node it is sent to, so a cluster-wide scan runs once per master.
 */
export function redisMasters(client: RedisClient): Redis[] {
  return isCluster(client) ? client.nodes('master') : [client];
}
