import type { IndexedMessage, MessageIndex, MessageQuery } from '../datasources/store/MessageIndex.js';
import { matchesQuery } from '../datasources/store/queryPlan.js';
import type { EventBus, MessageBatchEvent } from './EventBus.js';

export type MessageStreamFilter = Pick<MessageQuery, 'chatKey' | 'participantId' | 'msgtype'>;

const REPLAY_PAGE = 500;
/** With no live batch for this long, look at the index once (a publish lost to an outage). */
const DEFAULT_IDLE_CHECK_MS = 30_000;
const IDLE = Symbol('idle');

/**
 * Index-backed live stream of a corp's messages with no gap and no duplicate:
 * 1. subscribe first, and wait until the subscription is confirmed (events then buffer while
 *    we read the index);
 * 2. replay from the index after `afterSeq` (when given) up to its current end;
 * 3. deliver live batches, skipping seqs already delivered, and reading any hole (a batch whose
 *    first seq is beyond the last one seen: a publish lost to a crash or an outage, or another
 *    replica's batch overtaken) from the index before going on; when no batch comes for a
 *    while, the index is checked once, so a lost last batch is still delivered.
 * Every message is yielded once, in seq order. `afterSeq` undefined → live only.
 */
export async function* messageStream(
  bus: EventBus,
  index: MessageIndex,
  corpId: string,
  filter: MessageStreamFilter,
  afterSeq: number | undefined,
  idleCheckMs = DEFAULT_IDLE_CHECK_MS,
): AsyncGenerator<IndexedMessage> {
  const live = bus.subscribe('message', corpId);
  // The first next() registers the listener; it is awaited below, after the replay.
  let pending: Promise<IteratorResult<MessageBatchEvent>> = live.next();
  let timer: NodeJS.Timeout | undefined;
  try {
    await bus.ready('message', corpId);
    // Without a cursor, "live" starts at the index's current end.
    let last = afterSeq ?? (await index.lastSeq(corpId));

    async function* readFromIndex(upTo: number): AsyncGenerator<IndexedMessage> {
      while (last < upTo) {
        const page = await index.query({ corpId, ...filter, after: last, first: REPLAY_PAGE });
        for (const m of page.items) {
          if (m.seq > upTo) return;
          last = m.seq;
          yield m;
        }
        if (!page.hasMore) {
          last = Math.max(last, upTo);
          return;
        }
        if (page.endSeq !== null) last = Math.max(last, page.endSeq);
      }
    }

    if (afterSeq !== undefined) yield* readFromIndex(await index.lastSeq(corpId));
    for (;;) {
      const idle = new Promise<typeof IDLE>((resolve) => {
        timer = setTimeout(() => resolve(IDLE), idleCheckMs);
      });
      const next = await Promise.race([pending, idle]);
      clearTimeout(timer);
      if (next === IDLE) {
        yield* readFromIndex(await index.lastSeq(corpId));
        continue;
      }
      if (next.done) return;
      pending = live.next();
      const batch = next.value;
      if (batch.toSeq <= last) continue;
      if (batch.fromSeq > last + 1) yield* readFromIndex(batch.fromSeq - 1);
      for (const m of batch.messages) {
        if (m.seq <= last) continue;
        last = m.seq;
        if (matchesQuery(m, filter)) yield m;
      }
    }
  } finally {
    clearTimeout(timer);
    await live.return?.();
  }
}
