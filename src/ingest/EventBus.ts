import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import type { ReplyAlertEvent } from '../alerts/AlertStore.js';
import type { IndexedMessage } from '../datasources/store/MessageIndex.js';
import type { CorpRecord, ExportTaskRecord } from '../datasources/store/ports.js';
import { duplicateRedis } from '../datasources/store/redis/duplicateRedis.js';
import type { RedisClient } from '../datasources/store/redis/RedisClient.js';

/** New messages of one corp, as written to the index: seqs fromSeq..toSeq, in order. */
export type MessageBatchEvent = {
  corpId: string;
  fromSeq: number;
  toSeq: number;
  messages: IndexedMessage[];
};
export type KeywordHitEvent = {
  corpId: string;
  msgid: string;
  rules: { ruleId: string; hasHitKeyword: boolean; semantics: number[] }[];
  /** unix seconds, when known from msg_detail */
  sendTime: number | null;
};
export type ConsentEvent = {
  corpId: string;
  employeeId: string | null;
  externalUserId: string;
  chatId: string | null;
  status: 'AGREE' | 'DISAGREE' | 'DEFAULT_AGREE';
  /** unix seconds */
  changedAt: number;
};

export type BusTopics = {
  message: MessageBatchEvent;
  keywordHit: KeywordHitEvent;
  consent: ConsentEvent;
  exportTask: ExportTaskRecord;
  corpAuth: CorpRecord;
  /** Reply-time alerts opened or resolved. */
  replyAlert: ReplyAlertEvent;
};
type Topic = keyof BusTopics;

/** All corps' authorization changes share one channel; subscribers filter by their corps. */
export const ALL_CORPS = '*';

/**
 * Cross-replica pub/sub for live updates: Redis channels `<prefix><topic>:<corpId>` when Redis
 * is configured (separate publish and subscribe connections), an in-process target otherwise.
 */
export class EventBus {
  readonly #pubsub: PubSub<Record<string, [string, unknown]>>;
  readonly #prefix: string;
  readonly #subscriber: RedisClient | null;

  constructor(options: { redis: RedisClient | null; prefix: string }) {
    this.#prefix = options.prefix;
    // The shared client fails fast when Redis is down (no offline queue); a subscriber must
    // instead queue its SUBSCRIBEs until connected and replay them after a reconnect. No ready
    // check: a SUBSCRIBE queued before the first connect puts the connection in subscriber mode,
    // where ioredis's own INFO ready check is refused and the rejection crashed the process
    // (seen in the bench: a gateway exiting at start).
    this.#subscriber = options.redis
      ? duplicateRedis(options.redis, { enableOfflineQueue: true, enableReadyCheck: false })
      : null;
    // Outages are reported by the shared client and /ready; without a listener ioredis prints
    // "Unhandled error event" for every reconnect attempt.
    this.#subscriber?.on('error', () => {});
    this.#pubsub = createPubSub<Record<string, [string, unknown]>>(
      options.redis && this.#subscriber
        ? {
            eventTarget: createRedisEventTarget({
              publishClient: safePublisher(options.redis),
              subscribeClient: this.#subscriber,
            }),
          }
        : {},
    );
  }

  publish<T extends Topic>(topic: T, corpId: string, payload: BusTopics[T]): void {
    this.#pubsub.publish(this.#prefix + topic, corpId, payload);
  }

  /** Ends when the consumer stops iterating (return()), which unsubscribes the channel. The channel is registered on the first `next()`. */
  subscribe<T extends Topic>(topic: T, corpId: string): AsyncIterableIterator<BusTopics[T]> {
    return this.#pubsub.subscribe(this.#prefix + topic, corpId) as unknown as AsyncIterableIterator<
      BusTopics[T]
    >;
  }

  /**
   * Resolves once Redis has confirmed the channel subscription of `subscribe(topic, corpId)`
   * (call after the iterator's first `next()`, which registers it). A second SUBSCRIBE of the
   * same channel on the same connection is answered only after the first, so awaiting it proves
   * that nothing published from now on can be missed. In memory mode, immediately.
   */
  async ready(topic: Topic, corpId: string): Promise<void> {
    await this.#subscriber?.subscribe(`${this.#prefix}${topic}:${corpId}`);
  }

  async close(): Promise<void> {
    this.#subscriber?.disconnect();
  }
}

/**
 * The event target publishes without awaiting; while Redis is down that promise rejects and,
 * unhandled, would end the process. A missed live event is recovered from the index by
 * subscribers (messageStream), so dropping it with a count is the right failure.
 */
function safePublisher(redis: RedisClient): RedisClient {
  return {
    publish: (channel: string, message: string) => redis.publish(channel, message).catch(() => 0),
  } as unknown as RedisClient;
}
