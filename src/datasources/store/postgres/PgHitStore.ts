import type { HitStore, RuleHit, StoredHits } from '../ports.js';
import type { PgPool } from './createPgPool.js';
import { CORP_REGISTERED } from './registeredCorp.js';

type Row = {
  msgid: string;
  rule_id: string;
  has_hit_keyword: boolean;
  semantics: number[];
  send_time: number | null;
  recorded_at: number;
};

/** `keyword_hits`: one row per (corp, msgid, rule); a repeated hit is skipped by its key. */
export class PgHitStore implements HitStore {
  /** `registeredOnly`: hits are kept only for corps in the registry (CORP_REGISTERED; see PgMessageIndex). */
  constructor(
    private readonly pool: PgPool,
    private readonly options: { registeredOnly?: boolean } = {},
  ) {}

  async record(corpId: string, hit: StoredHits): Promise<RuleHit[]> {
    if (hit.rules.length === 0) return [];
    const { rows } = await this.pool.query<{ rule_id: string }>(
      `INSERT INTO keyword_hits (corp_id, msgid, rule_id, has_hit_keyword, semantics, send_time, recorded_at)
       SELECT $1, $2, t.rule_id, t.has_hit, ARRAY(SELECT jsonb_array_elements_text(t.semantics)::int), $3, $4
         FROM unnest($5::text[], $6::boolean[], $7::jsonb[]) AS t(rule_id, has_hit, semantics)
        ${this.options.registeredOnly ? `WHERE ${CORP_REGISTERED}` : ''}
       ON CONFLICT (corp_id, msgid, rule_id) DO NOTHING
       RETURNING rule_id`,
      [
        corpId,
        hit.msgid,
        hit.sendTime,
        hit.recordedAt,
        hit.rules.map((r) => r.ruleId),
        hit.rules.map((r) => r.hasHitKeyword),
        hit.rules.map((r) => JSON.stringify(r.semantics)),
      ],
    );
    const fresh = new Set(rows.map((r) => r.rule_id));
    return hit.rules.filter((r) => fresh.has(r.ruleId));
  }

  async get(corpId: string, msgid: string): Promise<StoredHits | null> {
    return (await this.getMany(corpId, [msgid]))[0] ?? null;
  }

  async getMany(corpId: string, msgids: readonly string[]): Promise<(StoredHits | null)[]> {
    if (msgids.length === 0) return [];
    const { rows } = await this.pool.query<Row>({
      name: 'keyword_hits_get_many',
      text: `SELECT msgid, rule_id, has_hit_keyword, semantics, send_time, recorded_at
               FROM keyword_hits WHERE corp_id = $1 AND msgid = ANY($2::text[])
              ORDER BY recorded_at, rule_id`,
      values: [corpId, msgids],
    });
    const byId = new Map<string, StoredHits>();
    for (const r of rows) {
      let hit = byId.get(r.msgid);
      if (!hit) {
        hit = { msgid: r.msgid, rules: [], sendTime: r.send_time, recordedAt: r.recorded_at };
        byId.set(r.msgid, hit);
      }
      hit.rules.push({ ruleId: r.rule_id, hasHitKeyword: r.has_hit_keyword, semantics: r.semantics });
    }
    return msgids.map((id) => byId.get(id) ?? null);
  }

  async dropBefore(recordedBefore: number): Promise<number> {
    const result = await this.pool.query('DELETE FROM keyword_hits WHERE recorded_at < $1', [recordedBefore]);
    return result.rowCount ?? 0;
  }

  async purge(corpId: string): Promise<void> {
    await this.pool.query('DELETE FROM keyword_hits WHERE corp_id = $1', [corpId]);
  }
}
