import type { CorpRecord, CorpRegistry } from '../store/ports.js';
import type { ReadCache } from './ReadCache.js';

/**
 * The corp registry, announcing every write (`changed`, as CachedMessageIndex does). Its own
 * reads stay exact: onboarding and key rotation read a record to write it back. Only
 * `cachedGet` (the GraphQL `corp` field) reads through the replica's cache.
 */
export class CachedCorpRegistry implements CorpRegistry {
  constructor(
    private readonly inner: CorpRegistry,
    private readonly cache: ReadCache,
    private readonly changed: (corpId: string) => void,
  ) {}

  cachedGet(corpId: string): Promise<CorpRecord | null> {
    return this.cache.read(corpId, 'corp', () => this.inner.get(corpId));
  }

  list(): Promise<CorpRecord[]> {
    return this.inner.list();
  }

  get(corpId: string): Promise<CorpRecord | null> {
    return this.inner.get(corpId);
  }

  getPermanentCode(corpId: string): Promise<string | null> {
    return this.inner.getPermanentCode(corpId);
  }

  async upsert(record: CorpRecord, permanentCode?: string): Promise<void> {
    try {
      await this.inner.upsert(record, permanentCode);
    } finally {
      this.changed(record.corpId);
    }
  }

  async remove(corpId: string): Promise<void> {
    try {
      await this.inner.remove(corpId);
    } finally {
      this.changed(corpId);
    }
  }
}
