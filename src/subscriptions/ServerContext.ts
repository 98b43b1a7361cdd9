import type { LiveSink } from './LiveSink.js';

/**
 * What an operation brings to yoga besides its request, before the Context is built (yoga's
 * server context): node's `req`/`res` for HTTP and SSE, these for a graphql-ws operation
 * (graphqlWsOverYoga). envelop builds the Context on this object, so plugins see these fields
 * on the Context too.
 */
export type ServerContext = {
  /** 'ws' for a graphql-ws operation; unset for HTTP and SSE. */
  transport?: 'ws';
  /** graphql-ws: the subscriber's socket, written straight to with a shared result (SubscriptionGroups). */
  liveSink?: LiveSink;
};
