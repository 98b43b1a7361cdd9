import type { ArchivedMessage, MessageLookup } from './ports.js';

/** A message in the index, with its position in the corp's archive order. */
export type IndexedMessage = ArchivedMessage & {
  /** Per-corp sequence, assigned once at first write; the stable cursor of every listing. */
  seq: number;
};

/**
 * A listing. Every filter is optional; they combine with AND. `participantId` matches the sender,
 * and in single chats the receiver too: group traffic is found by chat (indexing every member of
 * every group message would multiply the index by the group size).
 */
export type MessageQuery = {
  corpId: string;
  /** See `chatKeyOf`: a group's chatid, or `s:<idA>|<idB>` for a single chat. */
  chatKey?: string | undefined;
  participantId?: string | undefined;
  msgtype?: number | undefined;
  /** Inclusive lower bound on send time, unix seconds. */
  from?: number | undefined;
  /** Exclusive upper bound on send time, unix seconds. */
  to?: number | undefined;
  /** Exclusive cursor: the seq of the last item already seen in this direction. */
  after?: number | undefined;
  /** Default 'asc' (archive order, oldest first). */
  direction?: 'asc' | 'desc' | undefined;
  /** Page size, ≥ 1. */
  first: number;
};

export type MessagePage = {
  items: IndexedMessage[];
  hasMore: boolean;
  /**
   * Where the next page starts (exclusive): the last item's seq, or further when a combined
   * filter scanned past non-matching entries. Null when nothing was scanned.
   */
  endSeq: number | null;
};

/** A sync_msg record that broke the documented shape, kept aside with why. */
export type QuarantinedRecord = {
  /** Null when the record had no usable msgid. */
  msgid: string | null;
  /** sha256 of `raw`: the same record kept aside twice is one entry. */
  digest: string;
  /** The record as the upstream sent it (JSON). */
  raw: string;
  reason: string;
};

export type StoredQuarantinedRecord = QuarantinedRecord & { id: number; recordedAt: number };

/** One sync_msg page as it commits: its messages, its quarantined records and its checkpoint. */
export type PageCommit = {
  messages: readonly ArchivedMessage[];
  quarantined?: readonly QuarantinedRecord[] | undefined;
  /**
   * The checkpoint after the page. `from` is the cursor the page was read from: the commit
   * fails with `CheckpointMovedError` (and writes nothing) when the stored cursor is no longer
   * `from`, i.e. another worker committed meanwhile.
   */
  cursor?: { from: string | null; to: string } | undefined;
  /** unix ms */
  now: number;
};

/** The stored cursor moved under a page being committed: another worker archived it. */
export class CheckpointMovedError extends Error {
  override name = 'CheckpointMovedError';
}

/**
 * The archive: one interface, a memory and a PostgreSQL implementation, one contract suite.
 * The message stream's checkpoint lives with it (`SyncStateTable`, stream `sync`), so a page and
 * its cursor commit together.
 */
export interface MessageIndex extends MessageLookup {
  /**
   * Writes a page atomically: messages idempotently by msgid in the given order, quarantined
   * records, and the checkpoint. Returns the messages that were new (with their seq).
   */
  commitPage(corpId: string, page: PageCommit): Promise<IndexedMessage[]>;
  /** `commitPage` without a checkpoint (tests, tools). */
  append(corpId: string, messages: readonly ArchivedMessage[]): Promise<IndexedMessage[]>;
  get(corpId: string, msgid: string): Promise<IndexedMessage | null>;
  getMany(corpId: string, msgids: readonly string[]): Promise<(IndexedMessage | null)[]>;
  query(query: MessageQuery): Promise<MessagePage>;
  /** Number of messages matching the filters (cursor and page size ignored). */
  count(query: Omit<MessageQuery, 'after' | 'first' | 'direction'>): Promise<number>;
  /** Highest seq written for the corp (0 when empty). */
  lastSeq(corpId: string): Promise<number>;
  /**
   * Retention for every corp: removes messages sent before `beforeSendTime` (unix s). The
   * PostgreSQL archive drops whole day partitions, so it removes only days that end at or before
   * the cutoff. Returns how many messages went.
   */
  dropBefore(beforeSendTime: number): Promise<number>;
  /** Quarantined records of the corp, oldest first; `afterId` is the exclusive cursor. */
  quarantined(
    corpId: string,
    first: number,
    afterId?: number,
  ): Promise<{ items: StoredQuarantinedRecord[]; hasMore: boolean }>;
  /** Deletes everything of the corp (cancel_auth). */
  purgeCorp(corpId: string): Promise<void>;
}
