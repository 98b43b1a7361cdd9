import type {
  KeyValueStore,
  SyncError,
  SyncRecord,
  SyncStateTable,
  SyncStream,
  SyncTimeField,
} from '../datasources/store/ports.js';

export type { SyncError } from '../datasources/store/ports.js';

/** A callback token is valid 10 minutes upstream; stop using it a little earlier. */
const TOKEN_TTL_MS = 9 * 60_000;

/** What `Corp.syncState` shows: all times unix ms. */
export type SyncState = SyncRecord;

/**
 * Per-corp sync bookkeeping of one stream: cursor, times and last error in the durable table
 * (PostgreSQL or memory), the newest callback token in the coordination KV (Redis or memory).
 * A lost token is harmless: the next sync runs token-less (watchdog) or with the next callback's.
 */
export class SyncStateStore {
  constructor(
    private readonly table: SyncStateTable,
    private readonly kv: KeyValueStore,
    private readonly stream: SyncStream,
  ) {}

  #tokenKey(corpId: string): string {
    return `${this.stream}:${corpId}:token`;
  }

  async cursor(corpId: string): Promise<string | null> {
    return (await this.table.read(corpId, this.stream)).cursor;
  }

  /** Checkpoints a cursor on its own (the hit stream; the message stream commits it with its page). */
  saveCursor(corpId: string, cursor: string, now: number): Promise<void> {
    return this.table.saveCursor(corpId, this.stream, cursor, now);
  }

  async noteCallback(corpId: string, token: string, now: number): Promise<void> {
    await this.kv.set(this.#tokenKey(corpId), token, TOKEN_TTL_MS);
    await this.mark(corpId, 'lastCallbackAt', now);
  }

  /** The newest callback token still valid, if any. */
  token(corpId: string): Promise<string | null> {
    return this.kv.get(this.#tokenKey(corpId));
  }

  async dropToken(corpId: string): Promise<void> {
    await this.kv.delete(this.#tokenKey(corpId));
  }

  mark(corpId: string, field: SyncTimeField, at: number): Promise<void> {
    return this.table.mark(corpId, this.stream, field, at);
  }

  recordError(corpId: string, error: SyncError | null): Promise<void> {
    return this.table.recordError(corpId, this.stream, error);
  }

  read(corpId: string): Promise<SyncState> {
    return this.table.read(corpId, this.stream);
  }

  async purge(corpId: string): Promise<void> {
    await this.table.purge(corpId);
    await this.kv.delete(this.#tokenKey(corpId));
  }
}
