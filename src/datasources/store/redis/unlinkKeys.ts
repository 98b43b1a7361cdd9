import calculateSlot from 'cluster-key-slot';
import { isCluster, type RedisClient } from './RedisClient.js';

/**
 * UNLINK of any set of keys. A cluster refuses a multi-key command whose keys hash to different
 * slots (CROSSSLOT), so there the keys go in one command per slot.
 */
export async function unlinkKeys(client: RedisClient, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  if (!isCluster(client)) {
    await client.unlink(...keys);
    return;
  }
  const bySlot = new Map<number, string[]>();
  for (const key of keys) {
    const slot = calculateSlot(key);
    const group = bySlot.get(slot);
    if (group) group.push(key);
    else bySlot.set(slot, [key]);
  }
  await Promise.all([...bySlot.values()].map((group) => client.unlink(...group)));
}
