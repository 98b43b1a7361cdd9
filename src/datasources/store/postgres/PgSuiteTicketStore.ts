import type { StoredSuiteTicket, SuiteTicketStore } from '../ports.js';
import type { PgPool } from './createPgPool.js';

/** `suite_tickets`: one row per suite; an older push never overwrites a newer one. */
export class PgSuiteTicketStore implements SuiteTicketStore {
  constructor(private readonly pool: PgPool) {}

  async get(suiteId: string): Promise<StoredSuiteTicket | null> {
    const { rows } = await this.pool.query<{ ticket: string; pushed_at: number }>(
      'SELECT ticket, pushed_at FROM suite_tickets WHERE suite_id = $1',
      [suiteId],
    );
    const row = rows[0];
    return row ? { ticket: row.ticket, ts: row.pushed_at } : null;
  }

  async putIfNewer(suiteId: string, ticket: StoredSuiteTicket): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO suite_tickets (suite_id, ticket, pushed_at) VALUES ($1, $2, $3)
       ON CONFLICT (suite_id) DO UPDATE SET ticket = EXCLUDED.ticket, pushed_at = EXCLUDED.pushed_at, updated_at = now()
       WHERE suite_tickets.pushed_at <= EXCLUDED.pushed_at`,
      [suiteId, ticket.ticket, ticket.ts],
    );
    return result.rowCount === 1;
  }
}
