import type { Redis } from 'ioredis';
import { scanPrefix } from './scanPrefix.js';

/** Deletes every key starting with `prefix` (UNLINK: freed in the background), batch by batch. */
export async function unlinkPrefix(redis: Redis, prefix: string): Promise<void> {
  for await (const keys of scanPrefix(redis, prefix)) await redis.unlink(...keys);
}
