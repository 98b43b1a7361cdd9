import type { KeyValueStore } from '../store/ports.js';

export type LeaseResult<T> = { acquired: true; value: T } | { acquired: false };

/**
 * Runs `fn` while holding the lock `key` across replicas: SET NX with a lease, renewed at a third
 * of the lease while `fn` runs, released only if still ours. If the lease is lost (a long pause),
 * another replica may start; the work guarded here is idempotent, so that costs repeated calls,
 * never lost or doubled data.
 */
export async function withLease<T>(
  kv: KeyValueStore,
  key: string,
  owner: string,
  leaseMs: number,
  fn: () => Promise<T>,
): Promise<LeaseResult<T>> {
  if (!(await kv.setIfAbsent(key, owner, leaseMs))) return { acquired: false };
  const renew = setInterval(
    () => {
      kv.extendIfEquals(key, owner, leaseMs).catch(() => {
        // A failed renewal is retried on the next tick; if the store stays down the lease
        // lapses, which is the safe outcome.
      });
    },
    Math.max(100, Math.floor(leaseMs / 3)),
  );
  renew.unref();
  try {
    return { acquired: true, value: await fn() };
  } finally {
    clearInterval(renew);
    await kv.deleteIfEquals(key, owner).catch(() => false);
  }
}
