import type { CorpRecord, CorpRegistry } from '../ports.js';
import type { SecretBox } from '../secretBox.js';

import type { PgPool } from './createPgPool.js';

/** The registry of one app: `corps` for the archive app, `display_corps` for the display app. */
export type CorpTable = 'corps' | 'display_corps';

/**
 * A registry table, listed from its primary key (no scan of anything else). Permanent codes are
 * sealed with the corp id and the table in the AAD: a code copied under another corp or app
 * does not open.
 */
export class PgCorpRegistry implements CorpRegistry {
  readonly #codeContext: (corpId: string) => string;

  constructor(
    private readonly pool: PgPool,
    private readonly box: SecretBox,
    private readonly table: CorpTable = 'corps',
  ) {
    this.#codeContext =
      table === 'corps' ? (id) => `permanent_code:${id}` : (id) => `${table}:permanent_code:${id}`;
  }

  async list(): Promise<CorpRecord[]> {
    const { rows } = await this.pool.query<{ record: CorpRecord }>({
      name: `${this.table}_list`,
      text: `SELECT record FROM ${this.table} ORDER BY corp_id`,
    });
    return rows.map((r) => r.record);
  }

  async get(corpId: string): Promise<CorpRecord | null> {
    const { rows } = await this.pool.query<{ record: CorpRecord }>({
      name: `${this.table}_get`,
      text: `SELECT record FROM ${this.table} WHERE corp_id = $1`,
      values: [corpId],
    });
    return rows[0]?.record ?? null;
  }

  /** Record and code in one statement: a record visible as ACTIVE always has its code. */
  async upsert(record: CorpRecord, permanentCode?: string): Promise<void> {
    if (!record.corpId) throw new Error('CorpRecord.corpId must be a non-empty string');
    const sealed =
      permanentCode === undefined ? null : this.box.seal(permanentCode, this.#codeContext(record.corpId));
    await this.pool.query(
      `INSERT INTO ${this.table} AS t (corp_id, record, sealed_permanent_code) VALUES ($1, $2, $3)
       ON CONFLICT (corp_id) DO UPDATE SET record = EXCLUDED.record,
         sealed_permanent_code = COALESCE(EXCLUDED.sealed_permanent_code, t.sealed_permanent_code),
         updated_at = now()`,
      [record.corpId, JSON.stringify(record), sealed],
    );
  }

  async getPermanentCode(corpId: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ sealed: string | null }>(
      `SELECT sealed_permanent_code AS sealed FROM ${this.table} WHERE corp_id = $1`,
      [corpId],
    );
    const sealed = rows[0]?.sealed ?? null;
    return sealed === null ? null : this.box.open(sealed, this.#codeContext(corpId));
  }

  async remove(corpId: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE corp_id = $1`, [corpId]);
  }
}
