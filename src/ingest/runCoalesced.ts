import type { KeyValueStore } from '../datasources/ports.js';
import { withLease } from './withLease.js';

export type CoalescedOutcome<T> = { ran: true; results: T[] } | { ran: false };

/**
 * One worker per `name` across replicas, and no request lost: every caller raises a "pending"
 * flag, then tries the lease. The holder drains while the flag is up (clearing it before each
 * pass), so requests arriving mid-run cause one more pass; a caller that cannot get the lease
 * leaves its flag for the holder. After releasing, the holder looks once more, closing the race
 * with a request that arrived just as it finished.
 */
export async function runCoalesced<T>(
  kv: KeyValueStore,
  name: string,
  owner: string,
  leaseMs: number,
  pass: () => Promise<T>,
): Promise<CoalescedOutcome<T>> {
  const pendingKey = `${name}:pending`;
  const results: T[] = [];
  let ran = false;
  await kv.set(pendingKey, owner, leaseMs * 4);
  for (;;) {
    const lease = await withLease(kv, `${name}:lock`, owner, leaseMs, async () => {
      while ((await kv.get(pendingKey)) !== null) {
        await kv.delete(pendingKey);
        results.push(await pass());
      }
    });
    if (!lease.acquired) return ran ? { ran, results } : { ran: false };
    ran = true;
    if ((await kv.get(pendingKey)) === null) return { ran, results };
  }
}
