import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import type { Datasources } from '../datasources/createDatasources.js';
import type { Logger } from '../datasources/Logger.js';
import { MemoryMessageIndex } from '../datasources/messageIndex/MemoryMessageIndex.js';
import type { MessageIndex } from '../datasources/messageIndex/MessageIndex.js';
import { RedisMessageIndex } from '../datasources/messageIndex/RedisMessageIndex.js';
import { CorpSyncer } from './CorpSyncer.js';
import { EventBus } from './EventBus.js';
import { HitStore } from './HitStore.js';
import { HitSyncer } from './HitSyncer.js';
import type { Inbox } from './Inbox.js';
import { IngestWorker } from './IngestWorker.js';
import { MemoryInbox } from './MemoryInbox.js';
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
  /** Starts the workers and the watchdog; resolves when the start-up catch-up has finished. */
  start(): Promise<void>;
  stop(): Promise<void>;
};

/** Wires the ingestion pipeline: inbox → workers → sync loops → index → event bus. */
export function createIngest(config: Config, ds: Datasources, logger: Logger): Ingest {
  const owner = `${process.pid}-${randomUUID().slice(0, 8)}`;
  const retentionMs = config.ingest.retentionDays * 86_400_000;
  const index: MessageIndex = ds.redis
    ? new RedisMessageIndex(ds.redis, config.redis.prefix)
    : new MemoryMessageIndex();
  const inbox: Inbox = ds.redis ? new RedisInbox(ds.redis, config.redis.prefix) : new MemoryInbox();
  const bus = new EventBus({ redis: ds.redis, prefix: config.redis.prefix });
  const hits = new HitStore(ds.kv, retentionMs);
  const syncState = new SyncStateStore(ds.kv, 'sync');
  const hitState = new SyncStateStore(ds.kv, 'hits');
  const common = {
    kv: ds.kv,
    bus,
    logger,
    owner,
    leaseMs: config.ingest.leaseMs,
    pageLimit: config.ingest.pageLimit,
  };
  const syncer = new CorpSyncer({ ...common, api: ds.api, index, state: syncState });
  const hitSyncer = new HitSyncer({ ...common, api: ds.api, hits, state: hitState });
  const worker = new IngestWorker({
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
    async start() {
      worker.start();
      await watchdog.start();
    },
    async stop() {
      await watchdog.stop();
      await worker.stop();
      await inbox.close();
      await bus.close();
    },
  };
}
