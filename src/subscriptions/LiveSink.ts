import type { SharedResult } from './SharedResult.js';

/**
 * A subscriber's connection, written straight to with one shared result, without the
 * per-subscriber async iteration. A graphql-ws operation brings one in its server context
 * (ServerContext); SSE subscriptions have none and take the ordinary path.
 */
export type LiveSink = {
  /** False when the connection does not drain (the caller ends that subscriber). */
  write(event: SharedResult): boolean;
};
