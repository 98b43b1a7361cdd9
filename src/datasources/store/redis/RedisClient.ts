import { Cluster, type Redis } from 'ioredis';

/**
 * What createRedis returns: one node (`REDIS_URL`) or a cluster (`REDIS_CLUSTER_NODES`). Code
 * that needs more than single-key commands goes through redisMasters / unlinkKeys /
 * duplicateRedis, which know the difference.
 */
export type RedisClient = Redis | Cluster;

/** ioredis types `isCluster` as a plain boolean on both classes; this narrows. */
export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}
