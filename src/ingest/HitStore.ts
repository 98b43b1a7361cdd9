import type { KeyValueStore } from '../datasources/ports.js';

export type RuleHit = { ruleId: string; hasHitKeyword: boolean; semantics: number[] };
export type StoredHits = { msgid: string; rules: RuleHit[]; sendTime: number | null; recordedAt: number };

/**
 * Keyword-rule hits per message (from get_hit_msg_list), kept as long as the index keeps
 * messages. Writes merge by rule id, so a page fetched twice changes nothing.
 */
export class HitStore {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly retentionMs: number,
  ) {}

  #key(corpId: string, msgid: string): string {
    return `hit:${corpId}:${msgid}`;
  }

  /** Returns the rules that were new for this message. */
  async record(corpId: string, hit: StoredHits): Promise<RuleHit[]> {
    const existing = await this.get(corpId, hit.msgid);
    const known = new Set(existing?.rules.map((r) => r.ruleId));
    const fresh = hit.rules.filter((r) => !known.has(r.ruleId));
    if (fresh.length === 0) return [];
    const merged: StoredHits = { ...hit, rules: [...(existing?.rules ?? []), ...fresh] };
    await this.kv.set(this.#key(corpId, hit.msgid), JSON.stringify(merged), this.retentionMs);
    return fresh;
  }

  async get(corpId: string, msgid: string): Promise<StoredHits | null> {
    const raw = await this.kv.get(this.#key(corpId, msgid));
    return raw ? (JSON.parse(raw) as StoredHits) : null;
  }

  async getMany(corpId: string, msgids: readonly string[]): Promise<(StoredHits | null)[]> {
    return Promise.all(msgids.map((id) => this.get(corpId, id)));
  }

  async purge(corpId: string): Promise<void> {
    const keys = await this.kv.keys(`hit:${corpId}:`);
    if (keys.length > 0) await this.kv.delete(...keys);
  }
}
