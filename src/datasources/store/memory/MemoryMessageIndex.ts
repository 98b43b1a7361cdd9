import { chatKeyOf, indexedParticipants } from '../chatKeyOf.js';
import {
  CheckpointMovedError,
  type IndexedMessage,
  type MessageIndex,
  type MessagePage,
  type MessageQuery,
  type PageCommit,
  type StoredQuarantinedRecord,
} from '../MessageIndex.js';
import type { ArchivedMessage } from '../ports.js';
import { matchesQuery, pickDrivingKey } from '../queryPlan.js';
import { MemorySyncStateTable } from './MemorySyncStateTable.js';

type CorpIndex = {
  seq: number;
  byId: Map<string, IndexedMessage>;
  /** Lists in seq order (appends only ever add larger seqs). */
  lists: Map<string, IndexedMessage[]>;
  quarantined: StoredQuarantinedRecord[];
};

/**
 * In-process archive for a single replica without PostgreSQL (the embedded demo); same
 * semantics as the PostgreSQL one. Its checkpoints live in `state`, written with each page.
 */
export class MemoryMessageIndex implements MessageIndex {
  readonly #corps = new Map<string, CorpIndex>();
  #quarantineIds = 0;

  constructor(readonly state: MemorySyncStateTable = new MemorySyncStateTable()) {}

  #corp(corpId: string): CorpIndex {
    let corp = this.#corps.get(corpId);
    if (!corp) {
      corp = { seq: 0, byId: new Map(), lists: new Map(), quarantined: [] };
      this.#corps.set(corpId, corp);
    }
    return corp;
  }

  async commitPage(corpId: string, page: PageCommit): Promise<IndexedMessage[]> {
    const row = this.state.row(corpId, 'sync');
    if (page.cursor && row.cursor !== page.cursor.from) {
      throw new CheckpointMovedError(
        `corp ${corpId}: the sync cursor moved while a page was fetched; another worker archived it`,
      );
    }
    const fresh = this.#add(corpId, page.messages);
    const corp = this.#corp(corpId);
    for (const q of page.quarantined ?? []) {
      if (corp.quarantined.some((known) => known.digest === q.digest)) continue;
      corp.quarantined.push({ ...q, id: ++this.#quarantineIds, recordedAt: page.now });
      row.quarantined++;
    }
    if (page.cursor) {
      row.cursor = page.cursor.to;
      row.cursorUpdatedAt = page.now;
    }
    return fresh;
  }

  async append(corpId: string, messages: readonly ArchivedMessage[]): Promise<IndexedMessage[]> {
    return this.#add(corpId, messages);
  }

  async quarantined(
    corpId: string,
    first: number,
    afterId = 0,
  ): Promise<{ items: StoredQuarantinedRecord[]; hasMore: boolean }> {
    const all = (this.#corps.get(corpId)?.quarantined ?? []).filter((q) => q.id > afterId);
    return { items: all.slice(0, first), hasMore: all.length > first };
  }

  #add(corpId: string, messages: readonly ArchivedMessage[]): IndexedMessage[] {
    const corp = this.#corp(corpId);
    const added: IndexedMessage[] = [];
    for (const message of messages) {
      if (corp.byId.has(message.msgid)) continue;
      const indexed: IndexedMessage = { ...message, corpId, seq: ++corp.seq };
      corp.byId.set(message.msgid, indexed);
      for (const key of listKeysOf(indexed)) {
        const list = corp.lists.get(key);
        if (list) list.push(indexed);
        else corp.lists.set(key, [indexed]);
      }
      added.push(indexed);
    }
    return added;
  }

  async get(corpId: string, msgid: string): Promise<IndexedMessage | null> {
    return this.#corps.get(corpId)?.byId.get(msgid) ?? null;
  }

  async getMany(corpId: string, msgids: readonly string[]): Promise<(IndexedMessage | null)[]> {
    const byId = this.#corps.get(corpId)?.byId;
    return msgids.map((id) => byId?.get(id) ?? null);
  }

  async query(query: MessageQuery): Promise<MessagePage> {
    const list = this.#corps.get(query.corpId)?.lists.get(pickDrivingKey(query)) ?? [];
    const desc = query.direction === 'desc';
    const items: IndexedMessage[] = [];
    let endSeq: number | null = null;
    const start = desc ? firstBelow(list, query.after) : firstAbove(list, query.after);
    for (let i = start; desc ? i >= 0 : i < list.length; i += desc ? -1 : 1) {
      const message = list[i]!;
      if (!matchesQuery(message, query)) continue;
      if (items.length === query.first) return { items, hasMore: true, endSeq };
      items.push(message);
      endSeq = message.seq;
    }
    return { items, hasMore: false, endSeq };
  }

  async count(query: Omit<MessageQuery, 'after' | 'first' | 'direction'>): Promise<number> {
    const list = this.#corps.get(query.corpId)?.lists.get(pickDrivingKey(query)) ?? [];
    let n = 0;
    for (const message of list) if (matchesQuery(message, query)) n++;
    return n;
  }

  async lastSeq(corpId: string): Promise<number> {
    return this.#corps.get(corpId)?.seq ?? 0;
  }

  async dropBefore(beforeSendTime: number): Promise<number> {
    let removed = 0;
    for (const corp of this.#corps.values()) removed += trimCorp(corp, beforeSendTime);
    return removed;
  }

  async purgeCorp(corpId: string): Promise<void> {
    this.#corps.delete(corpId);
    await this.state.purge(corpId);
  }
}

function trimCorp(corp: CorpIndex, beforeSendTime: number): number {
  let removed = 0;
  for (const [id, message] of corp.byId) {
    if (message.sendTime < beforeSendTime) {
      corp.byId.delete(id);
      removed++;
    }
  }
  if (removed > 0) {
    for (const [key, list] of corp.lists) {
      const kept = list.filter((m) => m.sendTime >= beforeSendTime);
      if (kept.length === 0) corp.lists.delete(key);
      else corp.lists.set(key, kept);
    }
  }
  return removed;
}

/** The lists a message belongs to; the names match `pickDrivingKey`. */
export function listKeysOf(message: ArchivedMessage): string[] {
  return [
    'all',
    `c:${chatKeyOf(message)}`,
    `t:${message.msgtype}`,
    ...indexedParticipants(message).map((id) => `u:${id}`),
  ];
}

/** Index of the first element with seq > after (0 when no cursor). */
function firstAbove(list: readonly IndexedMessage[], after: number | undefined): number {
  if (after === undefined) return 0;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.seq <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the last element with seq < after (last element when no cursor). */
function firstBelow(list: readonly IndexedMessage[], after: number | undefined): number {
  if (after === undefined) return list.length - 1;
  return firstAbove(list, after - 1) - 1;
}
