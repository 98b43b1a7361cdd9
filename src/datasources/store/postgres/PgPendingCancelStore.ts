import type { PendingCancel, PendingCancelStore } from '../ports.js';
import type { PgPool } from './createPgPool.js';

/** `pending_cancels`, the rows of one app (`archive` or `display`). */
export class PgPendingCancelStore implements PendingCancelStore {
  constructor(
    private readonly pool: PgPool,
    private readonly app: 'archive' | 'display',
  ) {}

  async add(corpId: string, receivedAt: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO pending_cancels (corp_id, app, received_at) VALUES ($1, $2, $3)
       ON CONFLICT (corp_id, app) DO NOTHING`,
      [corpId, this.app, receivedAt],
    );
  }

  async list(): Promise<PendingCancel[]> {
    const { rows } = await this.pool.query<{ corp_id: string; received_at: string | number }>(
      'SELECT corp_id, received_at FROM pending_cancels WHERE app = $1 ORDER BY received_at',
      [this.app],
    );
    return rows.map((r) => ({ corpId: r.corp_id, receivedAt: Number(r.received_at) }));
  }

  async remove(corpId: string): Promise<void> {
    await this.pool.query('DELETE FROM pending_cancels WHERE corp_id = $1 AND app = $2', [corpId, this.app]);
  }
}
