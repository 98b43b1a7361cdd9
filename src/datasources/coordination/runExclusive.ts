import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { KeyValueStore } from '../store/ports.js';

export type ExclusiveOptions<T> = {
  lockKey: string;
  /** Lock lifetime, ms: longer than `run` normally takes; an expired lock is taken over. */
  lockTtlMs: number;
  /** How long to wait for another holder before giving up, ms. */
  waitMs: number;
  /** Poll interval while another holder works, ms. Default 50. */
  pollMs?: number;
  /**
   * Extend the lock to `lockTtlMs` again every this many ms while `run` works, so the lock can be
   * short: a holder that died (kill -9) frees it within `lockTtlMs`, a living one keeps it for as
   * long as it works. Unset: the lock is never extended.
   */
  renewMs?: number;
  /** A result another holder may already have produced (checked before and after locking). */
  peek?: () => Promise<T | null>;
  run: () => Promise<T>;
  onTimeout: () => Error;
};

/**
 * Runs `run` while holding a KV lock, so one replica does the work and the others wait for its
 * result (`peek`) instead of repeating it. The lock is released only by its owner.
 */
export async function runExclusive<T>(kv: KeyValueStore, options: ExclusiveOptions<T>): Promise<T> {
  const owner = randomUUID();
  const pollMs = options.pollMs ?? 50;
  const giveUpAt = Date.now() + options.waitMs;
  for (;;) {
    const ready = options.peek ? await options.peek() : null;
    if (ready !== null) return ready;
    if (await kv.setIfAbsent(options.lockKey, owner, options.lockTtlMs)) {
      const renew =
        options.renewMs === undefined
          ? null
          : setInterval(() => {
              // A failed extension is tried again on the next tick; a lapse is the safe outcome.
              kv.extendIfEquals(options.lockKey, owner, options.lockTtlMs).catch(() => false);
            }, options.renewMs);
      renew?.unref();
      try {
        // Double-check: a holder may have finished between our peek and our lock.
        const late = options.peek ? await options.peek() : null;
        return late !== null ? late : await options.run();
      } finally {
        if (renew) clearInterval(renew);
        await kv.deleteIfEquals(options.lockKey, owner).catch(() => false);
      }
    }
    if (Date.now() >= giveUpAt) throw options.onTimeout();
    await delay(pollMs);
  }
}
