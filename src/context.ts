import type { Access } from './auth/Access.js';
import type { Logger } from './datasources/Logger.js';
import type { MessageIndex } from './datasources/messageIndex/MessageIndex.js';
import type {
  CorpRegistry,
  HitStore,
  JsapiTickets,
  KeyManager,
  MessageLookup,
  TaskStore,
  WecomApi,
} from './datasources/ports.js';
import type { EventBus } from './ingest/EventBus.js';
import type { SyncStateStore } from './ingest/SyncStateStore.js';
import type { Loaders } from './resolvers/loaders/createLoaders.js';
import type { Statistics } from './stats/createStatistics.js';

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
  ds: { api: WecomApi; corps: CorpRegistry; keys: KeyManager; tasks: TaskStore; jsapi: JsapiTickets };
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
