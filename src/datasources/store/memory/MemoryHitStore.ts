import type { HitStore, RuleHit, StoredHits } from '../ports.js';

/** Hits in process memory (a single replica without PostgreSQL). */
export class MemoryHitStore implements HitStore {
  readonly #hits = new Map<string, StoredHits>();

  async record(corpId: string, hit: StoredHits): Promise<RuleHit[]> {
    const key = `${corpId}\u0000${hit.msgid}`;
    const existing = this.#hits.get(key);
    const known = new Set(existing?.rules.map((r) => r.ruleId));
    const fresh = hit.rules.filter((r) => !known.has(r.ruleId));
    if (fresh.length === 0) return [];
    this.#hits.set(key, { ...hit, rules: [...(existing?.rules ?? []), ...fresh] });
    return fresh;
  }

  async get(corpId: string, msgid: string): Promise<StoredHits | null> {
    return this.#hits.get(`${corpId}\u0000${msgid}`) ?? null;
  }

  async getMany(corpId: string, msgids: readonly string[]): Promise<(StoredHits | null)[]> {
    return msgids.map((id) => this.#hits.get(`${corpId}\u0000${id}`) ?? null);
  }

  async dropBefore(recordedBefore: number): Promise<number> {
    let n = 0;
    for (const [key, hit] of this.#hits) {
      if (hit.recordedAt < recordedBefore) {
        this.#hits.delete(key);
        n++;
      }
    }
    return n;
  }

  async purge(corpId: string): Promise<void> {
    for (const key of this.#hits.keys()) if (key.startsWith(`${corpId}\u0000`)) this.#hits.delete(key);
  }
}
