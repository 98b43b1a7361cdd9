import type { AlertStore } from '../alerts/AlertStore.js';
import { MemoryAlertStore } from '../alerts/MemoryAlertStore.js';
import { PgAlertStore } from '../alerts/PgAlertStore.js';
import { ReplyAlertEvaluator } from '../alerts/ReplyAlertEvaluator.js';
import type { MessageIndex } from '../datasources/store/MessageIndex.js';
import type { CorpRegistry, KeyValueStore } from '../datasources/store/ports.js';
import type { PgPool } from '../datasources/store/postgres/createPgPool.js';
import type { Logger } from '../logging/Logger.js';
import { MemoryStatsStore } from '../stats/MemoryStatsStore.js';
import { PgStatsStore } from '../stats/PgStatsStore.js';
import { StatsAggregator } from '../stats/StatsAggregator.js';
import type { StatsStore } from '../stats/StatsStore.js';
import type { EventBus } from './EventBus.js';
import { RecallListener } from './RecallListener.js';

export type StatisticsOptions = {
  /** Silence after which a chat's next message starts a new conversation, seconds. */
  conversationGapS: number;
  /** How long bucket counters and rollup days are kept after they end, days. */
  retentionDays: number;
  /** Period of the reply-alert timer, seconds. */
  alertIntervalS: number;
};

export type Statistics = {
  store: StatsStore;
  aggregator: StatsAggregator;
  alertStore: AlertStore;
  alerts: ReplyAlertEvaluator;
  /** Backfill (background), recall listener, alert timer, retention timer. */
  start(): Promise<void>;
  stop(): Promise<void>;
  purge(corpId: string): Promise<void>;
};

/** Period of the statistics retention pass, ms. */
const PRUNE_INTERVAL_MS = 3_600_000;

/** Wires statistics and reply-time alerts onto the index and the event bus. */
export function createStatistics(
  options: StatisticsOptions,
  deps: {
    /** The store of record; statistics and alerts live there when it is PostgreSQL. */
    pool: PgPool | null;
    kv: KeyValueStore;
    corps: CorpRegistry;
    index: MessageIndex;
    bus: EventBus;
    logger: Logger;
    owner: string;
    leaseMs: number;
  },
): Statistics {
  const retentionS = options.retentionDays * 86_400;
  const store: StatsStore = deps.pool
    ? new PgStatsStore(deps.pool, { registeredOnly: true })
    : new MemoryStatsStore();
  const alertStore: AlertStore = deps.pool ? new PgAlertStore(deps.pool) : new MemoryAlertStore();
  // Retention is a periodic pass, not part of each commit: a DELETE by the ends_at index once an
  // hour costs less than a range delete per corp per commit, and a bucket kept an hour longer is
  // harmless. Every replica runs it; the deletes are idempotent.
  const prune = () =>
    store
      .prune(Math.floor(Date.now() / 1000) - retentionS)
      .catch((error: unknown) =>
        deps.logger.warn({ err: (error as Error).message }, 'stats retention pass failed'),
      );
  let pruneTimer: NodeJS.Timeout | null = null;
  const alerts = new ReplyAlertEvaluator({
    alerts: alertStore,
    stats: store,
    corps: deps.corps,
    publish: (event) => deps.bus.publish('replyAlert', event.corpId, event),
    logger: deps.logger,
    intervalMs: options.alertIntervalS * 1000,
  });
  const aggregator = new StatsAggregator({
    store,
    index: deps.index,
    kv: deps.kv,
    corps: deps.corps,
    logger: deps.logger,
    owner: deps.owner,
    leaseMs: deps.leaseMs,
    conversationGapS: options.conversationGapS,
    onCommitted: async (corpId, closed) => {
      await alerts.resolveAnswered(corpId, closed);
      await alerts.evaluateCorp(corpId);
    },
  });
  const recalls = new RecallListener({
    bus: deps.bus,
    corps: deps.corps,
    stats: aggregator,
    logger: deps.logger,
  });
  return {
    store,
    aggregator,
    alertStore,
    alerts,
    async start() {
      alerts.start();
      void prune();
      pruneTimer = setInterval(() => void prune(), PRUNE_INTERVAL_MS);
      pruneTimer.unref();
      await recalls
        .start()
        .catch((error: unknown) =>
          deps.logger.warn({ err: (error as Error).message }, 'recall listener did not start'),
        );
      void aggregator.start();
    },
    async stop() {
      if (pruneTimer) clearInterval(pruneTimer);
      await alerts.stop();
      await recalls.stop();
      await aggregator.stop();
    },
    async purge(corpId) {
      await store.purge(corpId);
      await alertStore.purge(corpId);
    },
  };
}
