import { runCoalesced } from '../datasources/coordination/runCoalesced.js';
import { chatKeyOf } from '../datasources/store/chatKeyOf.js';
import type { MessageIndex } from '../datasources/store/MessageIndex.js';
import type { CorpRegistry, KeyValueStore } from '../datasources/store/ports.js';
import type { Logger } from '../logging/Logger.js';
import { applyMessages, type ClosedTurn } from './applyMessages.js';
import { bucketsFor, DAY_S } from './bucketsFor.js';
import { recallDelta } from './recallDelta.js';
import type { BreakdownDimension, BreakdownRow, ChatState, Dimension, StatsStore } from './StatsStore.js';
import { type StatisticsSummary, summarizeCounters } from './summarizeCounters.js';

export type StatsAggregatorOptions = {
  store: StatsStore;
  index: MessageIndex;
  kv: KeyValueStore;
  corps: CorpRegistry;
  logger: Logger;
  /** Unique per process: the lock owner. */
  owner: string;
  leaseMs: number;
  /** Silence after which a chat's next message starts a new conversation, seconds. */
  conversationGapS: number;
  /** Index page folded per commit. */
  pageSize?: number;
  /** Called after each commit with the turns it answered (the alert evaluator resolves alerts). */
  onCommitted?: (corpId: string, closed: ClosedTurn[]) => Promise<void>;
};

export type WindowStatistics = StatisticsSummary & { from: number; to: number };

/**
 * Keeps the rolling statistics up to date from the message index. A pass reads the index after
 * the corp's watermark, folds a page (applyMessages) and commits counters, chat states and the
 * new watermark atomically; one pass per corp at a time across replicas (runCoalesced), and a
 * commit from a stale watermark writes nothing, so every message is counted exactly once. It is
 * triggered in the process that indexed a batch (FoldTrigger, from CorpSyncer), so pub/sub fan-out
 * never multiplies it; at start every corp is caught up (backfill), which also repairs a pass a
 * crash cut short.
 */
export class StatsAggregator {
  readonly #o: StatsAggregatorOptions;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: StatsAggregatorOptions) {
    this.#o = options;
  }

  get store(): StatsStore {
    return this.#o.store;
  }

  /** Backfills every active corp in the background. */
  start(): Promise<void> {
    const run = (async () => {
      const corps = await this.#o.corps.list();
      await Promise.all(corps.filter((c) => c.status === 'ACTIVE').map((c) => this.catchUp(c.corpId)));
    })().catch((error: unknown) =>
      this.#o.logger.warn({ err: (error as Error).message }, 'stats backfill failed'),
    );
    return this.#track(run);
  }

  /** Fire-and-forget catch-up (the sync loop must not wait for statistics). */
  schedule(corpId: string): void {
    void this.#track(
      this.catchUp(corpId).catch((error: unknown) =>
        this.#o.logger.warn({ corpId, err: (error as Error).message }, 'stats catch-up failed'),
      ),
    );
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#inFlight]);
  }

  /** Folds everything the index holds beyond the watermark. Resolves when done (or another replica runs it). */
  async catchUp(corpId: string): Promise<void> {
    const { kv, owner, leaseMs } = this.#o;
    await runCoalesced(kv, `stats:${corpId}`, owner, leaseMs, () => this.#drain(corpId));
  }

  async statistics(
    corpId: string,
    dimension: Dimension,
    fromS: number,
    toS: number,
  ): Promise<WindowStatistics> {
    const plan = bucketsFor(fromS, toS);
    const counters = await this.#o.store.read(corpId, dimension, plan.buckets);
    return { ...summarizeCounters(counters), from: plan.from, to: plan.to };
  }

  /** Messages per day × employee × msgtype × direction over whole UTC days covering [fromS, toS). */
  async breakdown(
    corpId: string,
    fromS: number,
    toS: number,
    by: ReadonlySet<BreakdownDimension>,
    limit: number,
  ): Promise<{ from: number; to: number; rows: BreakdownRow[] }> {
    const fromDay = Math.floor(fromS / DAY_S);
    const toDay = Math.ceil(toS / DAY_S);
    const rows = await this.#o.store.breakdown(corpId, { fromDay, toDay, by, limit });
    return { from: fromDay * DAY_S, to: toDay * DAY_S, rows };
  }

  async #drain(corpId: string): Promise<void> {
    const { store, index, conversationGapS, onCommitted } = this.#o;
    const pageSize = this.#o.pageSize ?? 500;
    for (;;) {
      const watermark = await store.watermark(corpId);
      const page = await index.query({ corpId, after: watermark, first: pageSize });
      const last = page.items.at(-1);
      if (!last) return;
      const keys = [...new Set(page.items.map((m) => chatKeyOf(m)))];
      const states = await store.chatStates(corpId, keys);
      const before = new Map<string, ChatState | null>(keys.map((k, i) => [k, states[i] ?? null]));
      const folded = applyMessages(page.items, before, conversationGapS);
      const next = Math.max(last.seq, page.endSeq ?? 0);
      const committed = await store.commit(corpId, {
        expected: watermark,
        next,
        delta: folded.delta,
        rollup: folded.rollup,
        chats: folded.chats,
      });
      // Lost the race to a replica whose lease we outlived: it has counted this page.
      if (!committed) break;
      if (onCommitted) await onCommitted(corpId, folded.closed);
      if (!page.hasMore) break;
    }
    for (const msgid of await store.awaitedRecalls(corpId)) {
      if (await this.recall(corpId, msgid)) await store.dropAwaitedRecall(corpId, msgid);
    }
  }

  /**
   * Counts a recall (a keyword hit with behaviour 6, the only place recalls show: sync_msg
   * metadata has no recall marker) once per message, in the recalled message's hour and
   * dimensions. False when the message is not indexed yet: it is remembered and counted by the
   * catch-up pass that indexes it.
   */
  async recall(corpId: string, msgid: string): Promise<boolean> {
    const message = await this.#o.index.get(corpId, msgid);
    if (!message) {
      await this.#o.store.awaitRecall(corpId, msgid);
      return false;
    }
    await this.#o.store.addRecallOnce(corpId, msgid, recallDelta(message));
    return true;
  }

  #track(p: Promise<void>): Promise<void> {
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
    return p;
  }
}
