import type { SyncError, SyncRecord, SyncStateTable, SyncStream, SyncTimeField } from '../ports.js';
import type { PgPool } from './createPgPool.js';
import { CORP_REGISTERED } from './registeredCorp.js';

const COLUMN: Record<SyncTimeField, string> = {
  lastCallbackAt: 'last_callback_at',
  lastSyncStartedAt: 'last_sync_started_at',
  lastSyncOkAt: 'last_sync_ok_at',
};

type Row = {
  cursor: string | null;
  cursor_updated_at: number | null;
  last_callback_at: number | null;
  last_sync_started_at: number | null;
  last_sync_ok_at: number | null;
  last_error: SyncError | null;
  quarantined_count: number;
};

/** `sync_state` rows; each call updates only its own columns, so replicas never overwrite each other. */
export class PgSyncStateTable implements SyncStateTable {
  /**
   * `registeredOnly`: rows are written only for corps in the registry (CORP_REGISTERED), so a
   * sync that ends after its corp was cancelled and purged leaves no row behind. Off for stores
   * used without a registry (tests).
   */
  constructor(
    private readonly pool: PgPool,
    private readonly options: { registeredOnly?: boolean } = {},
  ) {}

  async read(corpId: string, stream: SyncStream): Promise<SyncRecord> {
    const { rows } = await this.pool.query<Row>(
      `SELECT cursor, cursor_updated_at, last_callback_at, last_sync_started_at, last_sync_ok_at,
              last_error, quarantined_count
         FROM sync_state WHERE corp_id = $1 AND stream = $2`,
      [corpId, stream],
    );
    const r = rows[0];
    return {
      cursor: r?.cursor ?? null,
      cursorUpdatedAt: r?.cursor_updated_at ?? null,
      lastCallbackAt: r?.last_callback_at ?? null,
      lastSyncStartedAt: r?.last_sync_started_at ?? null,
      lastSyncOkAt: r?.last_sync_ok_at ?? null,
      lastError: r?.last_error ?? null,
      quarantined: r?.quarantined_count ?? 0,
    };
  }

  async saveCursor(corpId: string, stream: SyncStream, cursor: string, now: number): Promise<void> {
    await this.#upsert(corpId, stream, { cursor, cursor_updated_at: now });
  }

  async mark(corpId: string, stream: SyncStream, field: SyncTimeField, at: number): Promise<void> {
    await this.#upsert(corpId, stream, { [COLUMN[field]]: at });
  }

  async recordError(corpId: string, stream: SyncStream, error: SyncError | null): Promise<void> {
    await this.#upsert(corpId, stream, { last_error: error === null ? null : JSON.stringify(error) });
  }

  async purge(corpId: string): Promise<void> {
    await this.pool.query('DELETE FROM sync_state WHERE corp_id = $1', [corpId]);
  }

  /** Inserts the row or updates just these columns (names are this file's constants, never input). */
  async #upsert(corpId: string, stream: SyncStream, columns: Record<string, unknown>): Promise<void> {
    const names = Object.keys(columns);
    const registered = this.options.registeredOnly ? `WHERE ${CORP_REGISTERED}` : '';
    await this.pool.query(
      `INSERT INTO sync_state (corp_id, stream, ${names.join(', ')})
       SELECT $1, $2, ${names.map((_, i) => `$${i + 3}`).join(', ')} ${registered}
       ON CONFLICT (corp_id, stream) DO UPDATE SET ${names.map((n) => `${n} = EXCLUDED.${n}`).join(', ')}`,
      [corpId, stream, ...Object.values(columns)],
    );
  }
}
