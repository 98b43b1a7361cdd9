import type { KeyValueStore } from '../store/ports.js';
import { withLease } from './withLease.js';

export type CoalescedOutcome<T> = { ran: true; results: T[] } | { ran: false };

/** Per store, the (owner, name) pairs this process is already following (see `followHolder`). */
const following = new WeakMap<KeyValueStore, Set<string>>();
/** How many half-leases a follower watches a live holder before giving up (the watchdog remains). */
const FOLLOW_TRIES = 20;

/**
 * One worker per `name` across replicas, and no request lost: every caller raises a "pending"
 * flag, then tries the lease. The holder drains while the flag is up (clearing it before each
 * pass), so requests arriving mid-run cause one more pass; a caller that cannot get the lease
 * leaves its flag for the holder, and follows it in the background in case the holder is dead
 * (kill -9 leaves a lease that lapses, but no one to take up the flag). After releasing, the
 * holder looks once more, closing the race with a request that arrived just as it finished.
 */
export async function runCoalesced<T>(
  kv: KeyValueStore,
  name: string,
  owner: string,
  leaseMs: number,
  pass: () => Promise<T>,
  onFollowUpError?: (error: unknown) => void,
): Promise<CoalescedOutcome<T>> {
  const pendingKey = `${name}:pending`;
  const results: T[] = [];
  let ran = false;
  await kv.set(pendingKey, owner, leaseMs * 4);
  for (;;) {
    const lease = await drainUnderLease(kv, name, owner, leaseMs, async () => {
      results.push(await pass());
    });
    if (!lease) {
      if (ran) return { ran, results };
      followHolder(kv, name, owner, leaseMs, pass, onFollowUpError);
      return { ran: false };
    }
    ran = true;
    if ((await kv.get(pendingKey)) === null) return { ran, results };
  }
}

/** Holds the lease and runs `pass` while the pending flag is up; false when the lease is taken. */
async function drainUnderLease(
  kv: KeyValueStore,
  name: string,
  owner: string,
  leaseMs: number,
  pass: () => Promise<void>,
): Promise<boolean> {
  const pendingKey = `${name}:pending`;
  const lease = await withLease(kv, `${name}:lock`, owner, leaseMs, async () => {
    while ((await kv.get(pendingKey)) !== null) {
      await kv.delete(pendingKey);
      await pass();
    }
  });
  return lease.acquired;
}

/**
 * Every half lease, while the pending flag is still up: try the lease, and drain if it is free.
 * A live holder renews its lease and takes the flag itself, which ends the following; a dead
 * one's lease lapses and this process takes over. It never raises the flag again, so a busy
 * holder is not made to run extra passes.
 */
function followHolder<T>(
  kv: KeyValueStore,
  name: string,
  owner: string,
  leaseMs: number,
  pass: () => Promise<T>,
  onError: ((error: unknown) => void) | undefined,
): void {
  const id = `${owner}\n${name}`;
  const active = following.get(kv) ?? new Set<string>();
  following.set(kv, active);
  if (active.has(id)) return;
  active.add(id);
  const delayMs = Math.max(100, Math.floor(leaseMs / 2));
  const wait = () => new Promise((resolve) => setTimeout(resolve, delayMs).unref());
  (async () => {
    for (let tries = 0; tries < FOLLOW_TRIES; tries++) {
      await wait();
      if ((await kv.get(`${name}:pending`)) === null) return;
      if (await drainUnderLease(kv, name, owner, leaseMs, async () => void (await pass()))) return;
    }
  })()
    .catch((error: unknown) => onError?.(error))
    .finally(() => active.delete(id));
}
