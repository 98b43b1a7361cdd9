import type { ExecutionResult } from 'graphql';

/**
 * Writes one shared result straight to a subscriber's connection, without the per-subscriber
 * async iteration; false when the connection does not drain (the caller ends that subscriber).
 */
export type LiveSink = (result: ExecutionResult) => boolean;

/**
 * The direct writer of an operation's subscriber, keyed by its context object: graphql-ws sets
 * one per subscription (wireWebSocket), SubscriptionGroups uses it for results without errors.
 * SSE subscriptions have none and take the ordinary path.
 */
export const liveSinks = new WeakMap<object, LiveSink>();
