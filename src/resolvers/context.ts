import type { Access } from '../auth/Access.js';
import type { KeyManager } from '../datasources/corps/ports.js';
import type { MessageIndex } from '../datasources/store/MessageIndex.js';
import type { CorpRegistry, HitStore, MessageLookup, TaskStore } from '../datasources/store/ports.js';
import type { JsapiTickets, WecomApi } from '../datasources/wecom/ports.js';
import type { Statistics } from '../ingest/createStatistics.js';
import type { EventBus } from '../ingest/EventBus.js';
import type { SyncStateStore } from '../ingest/SyncStateStore.js';
import type { Logger } from '../logging/Logger.js';
import type { Loaders } from './createLoaders.js';

/** The ingestion side resolvers read: the index, hits, sync bookkeeping and live events. */
export type IngestView = {
  index: MessageIndex;
  hits: HitStore;
  syncState: SyncStateStore;
  bus: EventBus;
  /** Rolling conversation statistics and reply-time rules/alerts. */
  statistics: Pick<Statistics, 'aggregator' | 'alertStore'>;
};

/** `specapi`: the CUSTOM analysis path (WECOM_SPECAPI; specapi is offline upstream since 2024-06-06). */
export type Features = { specapi: boolean };

/**
 * One per GraphQL operation (HTTP request, SSE stream, or graphql-ws subscribe). Loaders live
 * here and nowhere else, so batching and caching never leak between requests or clients.
 */
export type Context = {
  access: Access;
  /** The slice of the datasources resolvers use (ports only, so any implementation fits). */
  ds: {
    api: WecomApi;
    corps: CorpRegistry;
    /** The corp record as the `corp` field reads it (Datasources.corpReads: cached per replica). */
    corpReads: Pick<CorpRegistry, 'get'>;
    keys: KeyManager;
    tasks: TaskStore;
    jsapi: JsapiTickets;
  };
  /** Switches from config that change what the graph may do. */
  features: Features;
  /** The message index's lookup side; null until ingestion provides one (see Message docs). */
  messages: MessageLookup | null;
  /** Null only in tests that build the graph without ingestion. */
  ingest: IngestView | null;
  loaders: Loaders;
  /** Fresh loaders: a subscription calls it per event so no cached upstream answer outlives one event. */
  renewLoaders(): void;
  logger: Logger;
};
