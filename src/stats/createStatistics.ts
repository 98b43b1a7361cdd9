import type { Redis } from 'ioredis';
import type { AlertStore } from '../alerts/AlertStore.js';
import { MemoryAlertStore } from '../alerts/MemoryAlertStore.js';
import { RedisAlertStore } from '../alerts/RedisAlertStore.js';
import { ReplyAlertEvaluator } from '../alerts/ReplyAlertEvaluator.js';
import type { Logger } from '../datasources/Logger.js';
import type { MessageIndex } from '../datasources/messageIndex/MessageIndex.js';
import type { CorpRegistry, KeyValueStore } from '../datasources/ports.js';
import type { PgPool } from '../datasources/postgres/createPgPool.js';
import type { EventBus } from '../ingest/EventBus.js';
import { MemoryStatsStore } from './MemoryStatsStore.js';
import { RecallListener } from './RecallListener.js';
import { RedisStatsStore } from './RedisStatsStore.js';
import { StatsAggregator } from './StatsAggregator.js';
import type { StatsStore } from './StatsStore.js';

export type StatisticsOptions = {
  /** Silence after which a chat's next message starts a new conversation, seconds. */
  conversationGapS: number;
  /** How long bucket counters are kept after their bucket ends, days. */
  retentionDays: number;
  /** Period of the reply-alert timer, seconds. */
  alertIntervalS: number;
};

export type Statistics = {
  store: StatsStore;
  aggregator: StatsAggregator;
  alertStore: AlertStore;
  alerts: ReplyAlertEvaluator;
  /** Backfill (background), recall listener, alert timer. */
  start(): Promise<void>;
  stop(): Promise<void>;
  purge(corpId: string): Promise<void>;
};

/** Wires statistics and reply-time alerts onto the index and the event bus. */
export function createStatistics(
  options: StatisticsOptions,
  deps: {
    redis: Redis | null;
    /** The store of record; statistics and alerts live there when it is PostgreSQL. */
    pool: PgPool | null;
    prefix: string;
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
  const store: StatsStore = deps.redis
    ? new RedisStatsStore(deps.redis, deps.prefix, retentionS)
    : new MemoryStatsStore();
  const alertStore: AlertStore = deps.redis
    ? new RedisAlertStore(deps.redis, deps.prefix)
    : new MemoryAlertStore();
  const alerts = new ReplyAlertEvaluator({
    alerts: alertStore,
    stats: store,
    corps: deps.corps,
    bus: deps.bus,
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
      await recalls
        .start()
        .catch((error: unknown) =>
          deps.logger.warn({ err: (error as Error).message }, 'recall listener did not start'),
        );
      void aggregator.start();
    },
    async stop() {
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
