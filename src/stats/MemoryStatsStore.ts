import { bucketEnd, DAY_S } from './bucketsFor.js';
import {
  type BreakdownQuery,
  type BreakdownRow,
  type ChatState,
  type Counters,
  type Dimension,
  type PendingTurn,
  parseRollupKey,
  type RollupDelta,
  type StatsCommit,
  type StatsDelta,
  type StatsStore,
} from './StatsStore.js';
import { addCounters } from './summarizeCounters.js';

type CorpStats = {
  watermark: number;
  buckets: Map<string, Counters>;
  rollup: RollupDelta;
  chats: Map<string, string>;
  /** msgid → when its recall was counted, unix s. */
  recalls: Map<string, number>;
  awaited: Set<string>;
};

/** Single-process stats (no database): the embedded demo and tests. */
export class MemoryStatsStore implements StatsStore {
  readonly #corps = new Map<string, CorpStats>();

  #corp(corpId: string): CorpStats {
    let c = this.#corps.get(corpId);
    if (!c) {
      c = {
        watermark: 0,
        buckets: new Map(),
        rollup: new Map(),
        chats: new Map(),
        recalls: new Map(),
        awaited: new Set(),
      };
      this.#corps.set(corpId, c);
    }
    return c;
  }

  #add(c: CorpStats, delta: StatsDelta): void {
    for (const [key, counters] of delta)
      c.buckets.set(key, addCounters({ ...(c.buckets.get(key) ?? {}) }, counters));
  }

  async watermark(corpId: string): Promise<number> {
    return this.#corp(corpId).watermark;
  }

  async chatStates(corpId: string, chatKeys: readonly string[]): Promise<(ChatState | null)[]> {
    const c = this.#corp(corpId);
    return chatKeys.map((k) => {
      const raw = c.chats.get(k);
      return raw ? (JSON.parse(raw) as ChatState) : null;
    });
  }

  async commit(corpId: string, commit: StatsCommit): Promise<boolean> {
    const c = this.#corp(corpId);
    if (c.watermark !== commit.expected) return false;
    this.#add(c, commit.delta);
    for (const [key, n] of commit.rollup) c.rollup.set(key, (c.rollup.get(key) ?? 0) + n);
    for (const [key, state] of commit.chats) c.chats.set(key, JSON.stringify(state));
    c.watermark = commit.next;
    return true;
  }

  async read(corpId: string, dimension: Dimension, buckets: readonly string[]): Promise<Counters> {
    const c = this.#corp(corpId);
    const sum: Counters = {};
    for (const b of buckets) {
      const counters = c.buckets.get(`${dimension}@${b}`);
      if (counters) addCounters(sum, counters);
    }
    return sum;
  }

  async breakdown(corpId: string, query: BreakdownQuery): Promise<BreakdownRow[]> {
    const byEmployee = query.by.has('EMPLOYEE');
    const groups = new Map<string, BreakdownRow>();
    for (const [key, n] of this.#corp(corpId).rollup) {
      const cell = parseRollupKey(key);
      if (cell.day < query.fromDay || cell.day >= query.toDay) continue;
      if ((cell.employeeId !== '') !== byEmployee) continue;
      const row: BreakdownRow = {
        day: query.by.has('DAY') ? cell.day : null,
        employeeId: byEmployee ? cell.employeeId : null,
        msgtype: query.by.has('MESSAGE_TYPE') ? cell.msgtype : null,
        direction: query.by.has('DIRECTION') ? cell.direction : null,
        messages: 0,
      };
      const group = JSON.stringify([row.day, row.employeeId, row.msgtype, row.direction]);
      const existing = groups.get(group) ?? row;
      existing.messages += n;
      groups.set(group, existing);
    }
    return [...groups.values()].sort(compareRows).slice(0, query.limit);
  }

  async pendingTurns(corpId: string, since: number, before: number, limit: number) {
    const out: { chatKey: string; turn: PendingTurn }[] = [];
    for (const [chatKey, raw] of this.#corp(corpId).chats) {
      const turn = (JSON.parse(raw) as ChatState).pending;
      if (turn && turn.at >= since && turn.at <= before) out.push({ chatKey, turn });
    }
    return out.sort((a, b) => a.turn.at - b.turn.at || (a.chatKey < b.chatKey ? -1 : 1)).slice(0, limit);
  }

  async addRecallOnce(corpId: string, msgid: string, delta: StatsDelta): Promise<boolean> {
    const c = this.#corp(corpId);
    if (c.recalls.has(msgid)) return false;
    c.recalls.set(msgid, Math.floor(Date.now() / 1000));
    this.#add(c, delta);
    return true;
  }

  async awaitRecall(corpId: string, msgid: string): Promise<void> {
    this.#corp(corpId).awaited.add(msgid);
  }

  async awaitedRecalls(corpId: string): Promise<string[]> {
    return [...this.#corp(corpId).awaited];
  }

  async dropAwaitedRecall(corpId: string, msgid: string): Promise<void> {
    this.#corp(corpId).awaited.delete(msgid);
  }

  async purge(corpId: string): Promise<void> {
    this.#corps.delete(corpId);
  }

  async prune(beforeS: number): Promise<void> {
    for (const c of this.#corps.values()) {
      for (const key of c.buckets.keys())
        if (bucketEnd(key.slice(key.lastIndexOf('@') + 1)) < beforeS) c.buckets.delete(key);
      for (const key of c.rollup.keys())
        if ((parseRollupKey(key).day + 1) * DAY_S < beforeS) c.rollup.delete(key);
      for (const [msgid, at] of c.recalls) if (at < beforeS) c.recalls.delete(msgid);
    }
  }
}

const compareNullable = <T extends string | number>(a: T | null, b: T | null) =>
  a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;

function compareRows(a: BreakdownRow, b: BreakdownRow): number {
  return (
    compareNullable(a.day, b.day) ||
    compareNullable(a.employeeId, b.employeeId) ||
    compareNullable(a.msgtype, b.msgtype) ||
    compareNullable(a.direction, b.direction)
  );
}
