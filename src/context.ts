import type { Access } from './auth/Access.js';
import type { Logger } from './datasources/Logger.js';
import type { CorpRegistry, KeyManager, MessageLookup, TaskStore, WecomApi } from './datasources/ports.js';
import type { Loaders } from './resolvers/loaders/createLoaders.js';

/**
 * One per GraphQL operation (HTTP request, SSE stream, or graphql-ws subscribe). Loaders live
 * here and nowhere else, so batching and caching never leak between requests or clients.
 */
export type Context = {
  access: Access;
  /** The slice of the datasources resolvers use (ports only, so any implementation fits). */
  ds: { api: WecomApi; corps: CorpRegistry; keys: KeyManager; tasks: TaskStore };
  /** The message index's lookup side; null until ingestion provides one (see Message docs). */
  messages: MessageLookup | null;
  loaders: Loaders;
  logger: Logger;
};
