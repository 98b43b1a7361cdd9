import type { CallbackEvent } from '../callbacks/CallbackEvent.js';
import type { TraceCarrier } from '../tracing/inboxTrace.js';

/** A verified callback event waiting for a worker. */
export type InboxEvent = {
  event: CallbackEvent;
  receivedAt: number;
  /**
   * W3C trace context of the callback request that queued it (tracing on only), so the
   * worker's span continues that trace across the queue and across replicas.
   */
  trace?: TraceCarrier;
};
export type InboxEntry = InboxEvent & {
  id: string;
  /** How many times this entry was handed out (1 on the first delivery). */
  deliveries: number;
};

/**
 * The durable inbox between `/wecom/callback` and the workers. `push` resolves only once the
 * event is stored, so the callback is acknowledged only for what cannot be lost; an entry taken
 * but never acked (the worker crashed) is handed out again after `reclaimAfterMs`.
 */
export interface Inbox {
  push(event: InboxEvent): Promise<void>;
  /** Up to `max` entries for `consumer`, waiting at most `waitMs` when none is ready. */
  take(consumer: string, max: number, waitMs: number): Promise<InboxEntry[]>;
  ack(ids: readonly string[]): Promise<void>;
  /** Entries stored and not yet acked. */
  depth(): Promise<number>;
  close(): Promise<void>;
}
