import type { ArchivedMessage, MessageLookup } from '../ports.js';

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

/** The message index: one interface, a memory and a Redis implementation, one contract suite. */
export interface MessageIndex extends MessageLookup {
  /**
   * Writes messages idempotently by msgid, in the given order, atomically per call.
   * Returns the messages that were new (with their seq); duplicates are skipped.
   */
  append(corpId: string, messages: readonly ArchivedMessage[]): Promise<IndexedMessage[]>;
  get(corpId: string, msgid: string): Promise<IndexedMessage | null>;
  getMany(corpId: string, msgids: readonly string[]): Promise<(IndexedMessage | null)[]>;
  query(query: MessageQuery): Promise<MessagePage>;
  /** Number of messages matching the filters (cursor and page size ignored). */
  count(query: Omit<MessageQuery, 'after' | 'first' | 'direction'>): Promise<number>;
  /** Highest seq written for the corp (0 when empty). */
  lastSeq(corpId: string): Promise<number>;
  /** Deletes messages sent before `beforeSendTime` (unix s); returns how many. */
  trim(corpId: string, beforeSendTime: number): Promise<number>;
  /** Deletes everything of the corp (cancel_auth). */
  purgeCorp(corpId: string): Promise<void>;
}
