/**
 * Rolling conversation statistics: counters per corp × dimension × bucket, the per-chat reply
 * pairing state, and the per-corp "aggregated up to seq" watermark. One interface, a memory and a
 * Redis implementation, one contract suite (test/integration/stats/statsStore.contract.test.ts).
 */

/** `c` the corp, `e:<open_userid>` an employee, `x:<external_userid>` a customer, `k:<chatKey>` a chat. */
export type Dimension = 'c' | `e:${string}` | `x:${string}` | `k:${string}`;

/** Counter name → increment. Integers only (seconds are whole: send times are unix seconds). */
export type Counters = Record<string, number>;

/** `<dimension>@<bucket>` → counters to add. */
export type StatsDelta = Map<string, Counters>;

/** The oldest customer message of a chat that no employee has answered yet, and its followers. */
export type PendingTurn = {
  msgid: string;
  /** Its send time, unix s: the reply clock starts here. */
  at: number;
  customerId: string;
  kind: 'SINGLE' | 'GROUP';
  /** Who could answer: a single chat's employee, or the group's employee members. */
  employeeIds: string[];
  /** Single chats: the two parties (for the Chat of an alert); groups: the chatid. */
  parties: { type: number; id: string }[];
  chatId: string | null;
  /** Unanswered customer messages of this turn: [hour bucket, customer id, count]. */
  waiting: [string, string, number][];
};

export type ChatState = {
  /** Newest send time seen in the chat, unix s: a conversation starts after a quiet gap. */
  last: number;
  /** The current conversation's first response has been measured. */
  answered: boolean;
  pending: PendingTurn | null;
};

export type StatsCommit = {
  /** The watermark this commit was computed from; the commit fails if it moved. */
  expected: number;
  /** The highest seq folded in by this commit. */
  next: number;
  delta: StatsDelta;
  chats: Map<string, ChatState>;
};

export interface StatsStore {
  /** Highest seq of the corp already folded into the counters (0 when none). */
  watermark(corpId: string): Promise<number>;
  chatStates(corpId: string, chatKeys: readonly string[]): Promise<(ChatState | null)[]>;
  /**
   * Atomically: when the watermark still is `expected`, add the delta, write the chat states
   * (and their pending-turn index) and move the watermark to `next`. False (nothing written)
   * otherwise, so a batch is never counted twice.
   */
  commit(corpId: string, commit: StatsCommit): Promise<boolean>;
  /** The counters of `dimension` summed over `buckets`. */
  read(corpId: string, dimension: Dimension, buckets: readonly string[]): Promise<Counters>;
  /** Chats with a turn waiting since [since, before] (unix s), oldest first, at most `limit`. */
  pendingTurns(
    corpId: string,
    since: number,
    before: number,
    limit: number,
  ): Promise<{ chatKey: string; turn: PendingTurn }[]>;
  /** Adds `delta` once per message: true when this call counted the recall. */
  addRecallOnce(corpId: string, msgid: string, delta: StatsDelta): Promise<boolean>;
  /** Recalls reported before their message reached the index. */
  awaitRecall(corpId: string, msgid: string): Promise<void>;
  awaitedRecalls(corpId: string): Promise<string[]>;
  dropAwaitedRecall(corpId: string, msgid: string): Promise<void>;
  purge(corpId: string): Promise<void>;
}
