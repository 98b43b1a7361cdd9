import type { SharedResult } from './SharedResult.js';

/**
 * Writes one shared result straight to a subscriber's connection, without the per-subscriber
 * async iteration; false when the connection does not drain (the caller ends that subscriber).
 * A graphql-ws operation brings one in its server context (src/context.ts `ServerContext`);
 * SSE subscriptions have none and take the ordinary path.
 */
export type LiveSink = (event: SharedResult) => boolean;
