import type {
  ChatState,
  Counters,
  Dimension,
  PendingTurn,
  StatsCommit,
  StatsDelta,
  StatsStore,
} from './StatsStore.js';
import { addCounters } from './summarizeCounters.js';

type CorpStats = {
  watermark: number;
  buckets: Map<string, Counters>;
  chats: Map<string, string>;
  recalls: Set<string>;
  awaited: Set<string>;
};

/** Single-process stats (no Redis). Buckets are not expired: a dev/test store. */
export class MemoryStatsStore implements StatsStore {
  readonly #corps = new Map<string, CorpStats>();

  #corp(corpId: string): CorpStats {
    let c = this.#corps.get(corpId);
    if (!c) {
      c = { watermark: 0, buckets: new Map(), chats: new Map(), recalls: new Set(), awaited: new Set() };
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
    c.recalls.add(msgid);
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
}
