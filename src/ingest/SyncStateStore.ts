import type { KeyValueStore } from '../datasources/ports.js';

/** A callback token is valid 10 minutes upstream; stop using it a little earlier. */
const TOKEN_TTL_MS = 9 * 60_000;

export type SyncError = { code: string; message: string; at: number };

/** What `Corp.syncState` shows: all times unix ms. */
export type SyncState = {
  cursor: string | null;
  cursorUpdatedAt: number | null;
  lastCallbackAt: number | null;
  lastSyncStartedAt: number | null;
  lastSyncOkAt: number | null;
  lastError: SyncError | null;
};

const FIELDS = ['cursorUpdatedAt', 'lastCallbackAt', 'lastSyncStartedAt', 'lastSyncOkAt'] as const;
type TimeField = (typeof FIELDS)[number];

/**
 * Per-corp sync bookkeeping in the shared store. Each field is its own key, so replicas
 * updating different fields never overwrite each other's writes.
 */
export class SyncStateStore {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly name: 'sync' | 'hits' = 'sync',
  ) {}

  #key(corpId: string, field: string): string {
    return `${this.name}:${corpId}:${field}`;
  }

  cursor(corpId: string): Promise<string | null> {
    return this.kv.get(this.#key(corpId, 'cursor'));
  }

  /** The checkpoint: written only after the page it follows is in the index. */
  async saveCursor(corpId: string, cursor: string, now: number): Promise<void> {
    await this.kv.set(this.#key(corpId, 'cursor'), cursor);
    await this.mark(corpId, 'cursorUpdatedAt', now);
  }

  async noteCallback(corpId: string, token: string, now: number): Promise<void> {
    await this.kv.set(this.#key(corpId, 'token'), token, TOKEN_TTL_MS);
    await this.mark(corpId, 'lastCallbackAt', now);
  }

  /** The newest callback token still valid, if any. */
  token(corpId: string): Promise<string | null> {
    return this.kv.get(this.#key(corpId, 'token'));
  }

  async dropToken(corpId: string): Promise<void> {
    await this.kv.delete(this.#key(corpId, 'token'));
  }

  async mark(corpId: string, field: TimeField, at: number): Promise<void> {
    await this.kv.set(this.#key(corpId, field), String(at));
  }

  async recordError(corpId: string, error: SyncError | null): Promise<void> {
    if (error === null) await this.kv.delete(this.#key(corpId, 'lastError'));
    else await this.kv.set(this.#key(corpId, 'lastError'), JSON.stringify(error));
  }

  async read(corpId: string): Promise<SyncState> {
    const [cursor, lastError, ...times] = await Promise.all([
      this.kv.get(this.#key(corpId, 'cursor')),
      this.kv.get(this.#key(corpId, 'lastError')),
      ...FIELDS.map((f) => this.kv.get(this.#key(corpId, f))),
    ]);
    const time = (i: number) => (times[i] ? Number(times[i]) : null);
    return {
      cursor,
      cursorUpdatedAt: time(0),
      lastCallbackAt: time(1),
      lastSyncStartedAt: time(2),
      lastSyncOkAt: time(3),
      lastError: lastError ? (JSON.parse(lastError) as SyncError) : null,
    };
  }

  async purge(corpId: string): Promise<void> {
    const keys = await this.kv.keys(`${this.name}:${corpId}:`);
    if (keys.length > 0) await this.kv.delete(...keys);
  }
}
