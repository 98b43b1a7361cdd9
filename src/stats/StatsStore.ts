import type { Direction } from './classifyMessage.js';

/**
 * Rolling conversation statistics: counters per corp × dimension × bucket, the daily message
 * rollup, the per-chat reply pairing state, and the per-corp "aggregated up to seq" watermark.
 * One interface, a memory and a PostgreSQL implementation, one contract suite
 * (test/integration/stats/statsStore.contract.test.ts).
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

/**
 * Messages to add per UTC day × msgtype × direction × employee, keyed by `rollupKey`; employee ''
 * is the corp (every message once), any other the messages that employee counts for.
 */
export type RollupDelta = Map<string, number>;

export type RollupCell = { day: number; msgtype: number; direction: Direction; employeeId: string };

export const rollupKey = (c: RollupCell) => `${c.day}|${c.msgtype}|${c.direction}|${c.employeeId}`;

export function parseRollupKey(key: string): RollupCell {
  const [day, msgtype, direction, ...employee] = key.split('|');
  return {
    day: Number(day),
    msgtype: Number(msgtype),
    direction: direction as Direction,
    employeeId: employee.join('|'),
  };
}

export type BreakdownDimension = 'DAY' | 'EMPLOYEE' | 'MESSAGE_TYPE' | 'DIRECTION';

export type BreakdownQuery = {
  /** UTC days since epoch, [fromDay, toDay). */
  fromDay: number;
  toDay: number;
  /** The dimensions rows are grouped by; the others are summed over. */
  by: ReadonlySet<BreakdownDimension>;
  /** At most this many rows are returned. */
  limit: number;
};

/** One group of a breakdown: a dimension not grouped by is null. */
export type BreakdownRow = {
  day: number | null;
  employeeId: string | null;
  msgtype: number | null;
  direction: Direction | null;
  messages: number;
};

export type StatsCommit = {
  /** The watermark this commit was computed from; the commit fails if it moved. */
  expected: number;
  /** The highest seq folded in by this commit. */
  next: number;
  delta: StatsDelta;
  rollup: RollupDelta;
  chats: Map<string, ChatState>;
};

export interface StatsStore {
  /** Highest seq of the corp already folded into the counters (0 when none). */
  watermark(corpId: string): Promise<number>;
  chatStates(corpId: string, chatKeys: readonly string[]): Promise<(ChatState | null)[]>;
  /**
   * Atomically: when the watermark still is `expected`, add the delta and the rollup, write the
   * chat states (and their pending-turn index) and move the watermark to `next`. False (nothing written)
   * otherwise, so a batch is never counted twice.
   */
  commit(corpId: string, commit: StatsCommit): Promise<boolean>;
  /** The counters of `dimension` summed over `buckets`. */
  read(corpId: string, dimension: Dimension, buckets: readonly string[]): Promise<Counters>;
  /**
   * The rollup grouped by `query.by`, in ascending order of day, employee (code units), msgtype,
   * direction. Grouped by EMPLOYEE it has only employee rows (a message may count for two
   * employees); otherwise it sums the corp rows (each message once).
   */
  breakdown(corpId: string, query: BreakdownQuery): Promise<BreakdownRow[]>;
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
  /** Retention: drops counter buckets and rollup days that ended before `beforeS` (unix s), and older recall markers. */
  prune(beforeS: number): Promise<void>;
}
