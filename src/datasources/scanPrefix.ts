import type { Redis } from 'ioredis';

/** Every key starting with `prefix` (glob characters in it taken literally), a SCAN batch at a time. */
export async function* scanPrefix(redis: Redis, prefix: string): AsyncGenerator<string[]> {
  const match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}
