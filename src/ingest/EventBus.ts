import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import type { Redis } from 'ioredis';
import type { ReplyAlertEvent } from '../alerts/AlertStore.js';
import type { IndexedMessage } from '../datasources/messageIndex/MessageIndex.js';
import type { CorpRecord, ExportTaskRecord } from '../datasources/ports.js';

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
  readonly #subscriber: Redis | null;

  constructor(options: { redis: Redis | null; prefix: string }) {
    this.#prefix = options.prefix;
    // The shared client fails fast when Redis is down (no offline queue); a subscriber must
    // instead queue its SUBSCRIBEs until connected and replay them after a reconnect.
    this.#subscriber = options.redis?.duplicate({ enableOfflineQueue: true }) ?? null;
    this.#pubsub = createPubSub<Record<string, [string, unknown]>>(
      options.redis && this.#subscriber
        ? {
            eventTarget: createRedisEventTarget({
              publishClient: options.redis,
              subscribeClient: this.#subscriber,
            }),
          }
        : {},
    );
  }

  publish<T extends Topic>(topic: T, corpId: string, payload: BusTopics[T]): void {
    this.#pubsub.publish(this.#prefix + topic, corpId, payload);
  }

  /** Ends when the consumer stops iterating (return()), which unsubscribes the channel. */
  subscribe<T extends Topic>(topic: T, corpId: string): AsyncIterableIterator<BusTopics[T]> {
    return this.#pubsub.subscribe(this.#prefix + topic, corpId) as unknown as AsyncIterableIterator<
      BusTopics[T]
    >;
  }

  async close(): Promise<void> {
    this.#subscriber?.disconnect();
  }
}
