import type { RedisClient } from './RedisClient.js';
import { redisMasters } from './redisMasters.js';

/**
 * Every key starting with `prefix` (glob characters in it taken literally), a SCAN batch at a
 * time; on a cluster, master by master (a SCAN only sees its own node).
 */
export async function* scanPrefix(redis: RedisClient, prefix: string): AsyncGenerator<string[]> {
  const match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  for (const node of redisMasters(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}
