import type { Inbox, InboxEntry, InboxEvent } from './Inbox.js';

/**
 * Single-process inbox (no REDIS_URL): durable only as long as the process lives, which is
 * the documented limit of running without Redis. Unacked entries are handed out again after
 * `reclaimAfterMs`, as the Redis inbox does.
 */
export class MemoryInbox implements Inbox {
  readonly #ready: InboxEntry[] = [];
  readonly #taken = new Map<string, { entry: InboxEntry; at: number }>();
  readonly #waiters = new Set<() => void>();
  #nextId = 1;
  #closed = false;

  constructor(private readonly reclaimAfterMs = 30_000) {}

  async push(event: InboxEvent): Promise<void> {
    if (this.#closed) throw new Error('inbox closed');
    this.#ready.push({ ...event, id: String(this.#nextId++), deliveries: 0 });
    for (const wake of this.#waiters) wake();
  }

  async take(_consumer: string, max: number, waitMs: number): Promise<InboxEntry[]> {
    this.#reclaim();
    if (this.#ready.length === 0 && waitMs > 0 && !this.#closed) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, waitMs);
        this.#waiters.add(wake);
      });
    }
    const batch = this.#ready.splice(0, max);
    const now = Date.now();
    for (const entry of batch) {
      entry.deliveries++;
      this.#taken.set(entry.id, { entry, at: now });
    }
    return batch;
  }

  async ack(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.#taken.delete(id);
  }

  async depth(): Promise<number> {
    return this.#ready.length + this.#taken.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const wake of this.#waiters) wake();
  }

  #reclaim(): void {
    const cutoff = Date.now() - this.reclaimAfterMs;
    for (const [id, { entry, at }] of this.#taken) {
      if (at <= cutoff) {
        this.#taken.delete(id);
        this.#ready.push(entry);
      }
    }
  }
}
