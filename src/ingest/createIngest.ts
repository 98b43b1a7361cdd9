import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { AuthEvents } from '../datasources/corps/ports.js';
import type { Datasources } from '../datasources/createDatasources.js';
import type { MessageIndex } from '../datasources/store/MessageIndex.js';
import type { HitStore } from '../datasources/store/ports.js';
import type { Logger } from '../logging/Logger.js';
import { FoldTrigger } from '../stats/FoldTrigger.js';
import { CorpSyncer } from './CorpSyncer.js';
import { createStatistics, type Statistics } from './createStatistics.js';
import { EventBus } from './EventBus.js';
import { HitSyncer } from './HitSyncer.js';
import type { Inbox } from './Inbox.js';
import { IngestWorker, type IngestWorkerOptions } from './IngestWorker.js';
import { MemoryInbox } from './MemoryInbox.js';
import { notifyingAuthEvents } from './notifyingAuthEvents.js';
import { RedisInbox } from './RedisInbox.js';
import { SyncStateStore } from './SyncStateStore.js';
import { Watchdog } from './Watchdog.js';

export type Ingest = {
  inbox: Inbox;
  bus: EventBus;
  index: MessageIndex;
  hits: HitStore;
  syncState: SyncStateStore;
  syncer: CorpSyncer;
  worker: IngestWorker;
  watchdog: Watchdog;
  /** The corp onboarding plus publishing and an immediate first sync (what the workers call). */
  auth: AuthEvents;
  /** Conversation statistics and reply-time alerts, fed by the index. */
  statistics: Statistics;
  /** Starts the workers and the watchdog; resolves when the start-up catch-up has finished. */
  start(): Promise<void>;
  stop(): Promise<void>;
};

/** Wires the ingestion pipeline: inbox → workers → sync loops → index → event bus. */
export function createIngest(
  config: Config,
  ds: Datasources,
  logger: Logger,
  hooks: Pick<IngestWorkerOptions, 'onGiveUp'> = {},
): Ingest {
  const owner = `${process.pid}-${randomUUID().slice(0, 8)}`;
  const retentionMs = config.ingest.retentionDays * 86_400_000;
  const { index, hits } = ds.durable;
  const redeliverMs = config.ingest.redeliverMs;
  const inbox: Inbox = ds.redis
    ? new RedisInbox(ds.redis, config.redis.prefix, { reclaimAfterMs: redeliverMs })
    : new MemoryInbox(redeliverMs);
  const bus = new EventBus({ redis: ds.redis, prefix: config.redis.prefix });
  const syncState = new SyncStateStore(ds.durable.syncState, ds.kv, 'sync');
  const hitState = new SyncStateStore(ds.durable.syncState, ds.kv, 'hits');
  const common = {
    kv: ds.kv,
    bus,
    logger,
    owner,
    leaseMs: config.ingest.leaseMs,
    pageLimit: config.ingest.pageLimit,
  };
  const statistics = createStatistics(config.stats, {
    ...common,
    pool: ds.durable.pool,
    corps: ds.corps,
    index,
  });
  // Statistics are folded in the process that indexed the batch, never per pub/sub receiver,
  // after the drain (at least every STATS_MAX_LAG_S of a long one), not after every page.
  const fold = new FoldTrigger(
    (corpId) => statistics.aggregator.schedule(corpId),
    config.stats.maxLagS * 1000,
  );
  const syncer = new CorpSyncer({
    ...common,
    api: ds.api,
    index,
    state: syncState,
    onIndexed: (corpId) => fold.committed(corpId),
    onDrained: (corpId) => fold.drained(corpId),
    slowSyncMs: config.logging.slowSyncMs,
  });
  const hitSyncer = new HitSyncer({ ...common, api: ds.api, hits, state: hitState });
  // cancel_auth purges what was archived for the corp, as WeCom does.
  ds.onCorpCancelled(async (corpId) => {
    await index.purgeCorp(corpId);
    await hits.purge(corpId);
    await syncState.purge(corpId);
    await hitState.purge(corpId);
    await statistics.purge(corpId);
  });
  const auth = notifyingAuthEvents(ds.auth, { corps: ds.corps, bus, syncer, logger });
  const worker = new IngestWorker({
    auth,
    displayAuth: ds.display.auth,
    displaySuiteId: config.displaySuite.suiteId,
    ...hooks,
    inbox,
    syncer,
    hitSyncer,
    syncState,
    hitState,
    bus,
    api: ds.api,
    tasks: ds.tasks,
    logger,
    consumer: owner,
    concurrency: config.ingest.concurrency,
  });
  const watchdog = new Watchdog({
    corps: ds.corps,
    syncer,
    state: syncState,
    index,
    hits,
    tasks: ds.durable.tasks,
    keys: ds.keys,
    // Through the notifying wrapper, so a cancel applied late is published like any other.
    recheckCancels: () => Promise.all([auth.recheckCancels(), ds.display.auth.recheckCancels()]),
    logger,
    intervalMs: config.ingest.watchdogIntervalS * 1000,
    stallMs: config.ingest.stallS * 1000,
    retentionMs,
  });
  return {
    inbox,
    bus,
    index,
    hits,
    syncState,
    syncer,
    worker,
    watchdog,
    auth,
    statistics,
    async start() {
      await statistics.start();
      worker.start();
      await watchdog.start();
    },
    async stop() {
      await watchdog.stop();
      await worker.stop();
      await statistics.stop();
      await inbox.close();
      await bus.close();
    },
  };
}
