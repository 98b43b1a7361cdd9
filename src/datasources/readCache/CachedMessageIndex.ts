import type {
  IndexedMessage,
  MessageIndex,
  MessagePage,
  MessageQuery,
  PageCommit,
  StoredQuarantinedRecord,
} from '../store/MessageIndex.js';
import type { ArchivedMessage } from '../store/ports.js';
import type { ReadCache } from './ReadCache.js';

/**
 * The archive with its first pages (no cursor) and its counts read through the replica's cache.
 * Every write announces the corp's change (`changed`: this process's cache at once, the other
 * replicas through the invalidation feed), also when it failed, since a commit may have landed
 * before the error. What must be exact at the instant stays uncached: `lastSeq` (the live
 * stream's gap check), pages after a cursor (the statistics fold, the live stream, deep paging),
 * lookups by msgid, quarantined records.
 */
export class CachedMessageIndex implements MessageIndex {
  constructor(
    private readonly inner: MessageIndex,
    private readonly cache: ReadCache,
    private readonly changed: (corpId: string | null) => void,
  ) {}

  query(query: MessageQuery): Promise<MessagePage> {
    if (query.after !== undefined) return this.inner.query(query);
    return this.cache.read(
      query.corpId,
      `page:${JSON.stringify(query)}`,
      () => this.inner.query(query),
      (page) => page.items.length + 1,
    );
  }

  count(query: Omit<MessageQuery, 'after' | 'first' | 'direction'>): Promise<number> {
    return this.cache.read(query.corpId, `count:${JSON.stringify(query)}`, () => this.inner.count(query));
  }

  commitPage(corpId: string, page: PageCommit): Promise<IndexedMessage[]> {
    const writes = page.messages.length > 0;
    return this.#announcing(writes ? corpId : undefined, () => this.inner.commitPage(corpId, page));
  }

  append(corpId: string, messages: readonly ArchivedMessage[]): Promise<IndexedMessage[]> {
    return this.#announcing(messages.length > 0 ? corpId : undefined, () =>
      this.inner.append(corpId, messages),
    );
  }

  /** Announced for every corp when it removed something (every watchdog pass runs it) or failed. */
  async dropBefore(beforeSendTime: number): Promise<number> {
    let removed = 1;
    try {
      removed = await this.inner.dropBefore(beforeSendTime);
      return removed;
    } finally {
      if (removed > 0) this.changed(null);
    }
  }

  purgeCorp(corpId: string): Promise<void> {
    return this.#announcing(corpId, () => this.inner.purgeCorp(corpId));
  }

  get(corpId: string, msgid: string): Promise<IndexedMessage | null> {
    return this.inner.get(corpId, msgid);
  }

  getMany(corpId: string, msgids: readonly string[]): Promise<(IndexedMessage | null)[]> {
    return this.inner.getMany(corpId, msgids);
  }

  lastSeq(corpId: string): Promise<number> {
    return this.inner.lastSeq(corpId);
  }

  quarantined(
    corpId: string,
    first: number,
    afterId?: number,
  ): Promise<{ items: StoredQuarantinedRecord[]; hasMore: boolean }> {
    return this.inner.quarantined(corpId, first, afterId);
  }

  /** `corpId` undefined: nothing to announce. */
  async #announcing<T>(corpId: string | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      if (corpId !== undefined) this.changed(corpId);
    }
  }
}
