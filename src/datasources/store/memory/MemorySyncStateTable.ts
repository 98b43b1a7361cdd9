import type { SyncError, SyncRecord, SyncStateTable, SyncStream, SyncTimeField } from '../ports.js';

const empty = (): SyncRecord => ({
  cursor: null,
  cursorUpdatedAt: null,
  lastCallbackAt: null,
  lastSyncStartedAt: null,
  lastSyncOkAt: null,
  lastError: null,
  quarantined: 0,
});

/** Sync bookkeeping in process memory (a single replica without PostgreSQL). */
export class MemorySyncStateTable implements SyncStateTable {
  readonly #rows = new Map<string, SyncRecord>();

  /** The live row (created when missing); the memory index writes the `sync` cursor through it. */
  row(corpId: string, stream: SyncStream): SyncRecord {
    const key = `${corpId}\u0000${stream}`;
    let row = this.#rows.get(key);
    if (!row) {
      row = empty();
      this.#rows.set(key, row);
    }
    return row;
  }

  async read(corpId: string, stream: SyncStream): Promise<SyncRecord> {
    return { ...this.row(corpId, stream) };
  }

  async saveCursor(corpId: string, stream: SyncStream, cursor: string, now: number): Promise<void> {
    const row = this.row(corpId, stream);
    row.cursor = cursor;
    row.cursorUpdatedAt = now;
  }

  async mark(corpId: string, stream: SyncStream, field: SyncTimeField, at: number): Promise<void> {
    this.row(corpId, stream)[field] = at;
  }

  async recordError(corpId: string, stream: SyncStream, error: SyncError | null): Promise<void> {
    this.row(corpId, stream).lastError = error;
  }

  async purge(corpId: string): Promise<void> {
    for (const key of this.#rows.keys()) if (key.startsWith(`${corpId}\u0000`)) this.#rows.delete(key);
  }
}
