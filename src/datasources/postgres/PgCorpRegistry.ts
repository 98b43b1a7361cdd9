import type { CorpRecord, CorpRegistry } from '../ports.js';
import type { SecretBox } from '../secretBox.js';

import type { PgPool } from './createPgPool.js';

/** AAD of the sealed permanent code: a code copied under another corp id does not open. */
const codeContext = (corpId: string): string => `permanent_code:${corpId}`;

/** `corps`: the registry, listed from its primary key (no scan of anything else). */
export class PgCorpRegistry implements CorpRegistry {
  constructor(
    private readonly pool: PgPool,
    private readonly box: SecretBox,
  ) {}

  async list(): Promise<CorpRecord[]> {
    const { rows } = await this.pool.query<{ record: CorpRecord }>({
      name: 'corps_list',
      text: 'SELECT record FROM corps ORDER BY corp_id',
    });
    return rows.map((r) => r.record);
  }

  async get(corpId: string): Promise<CorpRecord | null> {
    const { rows } = await this.pool.query<{ record: CorpRecord }>({
      name: 'corps_get',
      text: 'SELECT record FROM corps WHERE corp_id = $1',
      values: [corpId],
    });
    return rows[0]?.record ?? null;
  }

  /** Record and code in one statement: a record visible as ACTIVE always has its code. */
  async upsert(record: CorpRecord, permanentCode?: string): Promise<void> {
    if (!record.corpId) throw new Error('CorpRecord.corpId must be a non-empty string');
    const sealed =
      permanentCode === undefined ? null : this.box.seal(permanentCode, codeContext(record.corpId));
    await this.pool.query(
      `INSERT INTO corps (corp_id, record, sealed_permanent_code) VALUES ($1, $2, $3)
       ON CONFLICT (corp_id) DO UPDATE SET record = EXCLUDED.record,
         sealed_permanent_code = COALESCE(EXCLUDED.sealed_permanent_code, corps.sealed_permanent_code),
         updated_at = now()`,
      [record.corpId, JSON.stringify(record), sealed],
    );
  }

  async getPermanentCode(corpId: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ sealed: string | null }>(
      'SELECT sealed_permanent_code AS sealed FROM corps WHERE corp_id = $1',
      [corpId],
    );
    const sealed = rows[0]?.sealed ?? null;
    return sealed === null ? null : this.box.open(sealed, codeContext(corpId));
  }

  async deletePermanentCode(corpId: string): Promise<void> {
    await this.pool.query('UPDATE corps SET sealed_permanent_code = NULL WHERE corp_id = $1', [corpId]);
  }

  async remove(corpId: string): Promise<void> {
    await this.pool.query('DELETE FROM corps WHERE corp_id = $1', [corpId]);
  }
}
