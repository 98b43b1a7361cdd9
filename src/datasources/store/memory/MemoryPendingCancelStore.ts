import type { PendingCancel, PendingCancelStore } from '../ports.js';

/** Unconfirmed cancels in process memory (a single replica without PostgreSQL). */
export class MemoryPendingCancelStore implements PendingCancelStore {
  readonly #pending = new Map<string, number>();

  async add(corpId: string, receivedAt: number): Promise<void> {
    if (!this.#pending.has(corpId)) this.#pending.set(corpId, receivedAt);
  }

  async list(): Promise<PendingCancel[]> {
    return [...this.#pending].map(([corpId, receivedAt]) => ({ corpId, receivedAt }));
  }

  async remove(corpId: string): Promise<void> {
    this.#pending.delete(corpId);
  }
}
