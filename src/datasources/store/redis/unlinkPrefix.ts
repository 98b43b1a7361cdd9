import type { RedisClient } from './RedisClient.js';
import { scanPrefix } from './scanPrefix.js';
import { unlinkKeys } from './unlinkKeys.js';

/** Deletes every key starting with `prefix` (UNLINK: freed in the background), batch by batch. */
export async function unlinkPrefix(redis: RedisClient, prefix: string): Promise<void> {
  for await (const keys of scanPrefix(redis, prefix)) await unlinkKeys(redis, keys);
}
