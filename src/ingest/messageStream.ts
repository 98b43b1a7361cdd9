import type { IndexedMessage, MessageIndex, MessageQuery } from '../datasources/messageIndex/MessageIndex.js';
import { matchesQuery } from '../datasources/messageIndex/queryPlan.js';
import type { EventBus } from './EventBus.js';

export type MessageStreamFilter = Pick<MessageQuery, 'chatKey' | 'participantId' | 'msgtype'>;

const REPLAY_PAGE = 500;

/**
 * Index-backed live stream of a corp's messages with no gap and no duplicate:
 * 1. subscribe first (events buffer while we read the index);
 * 2. replay from the index after `afterSeq` (when given) up to its current end;
 * 3. deliver live batches, skipping seqs already delivered, and reading any hole (a batch whose
 *    first seq is beyond the last one seen: a publish lost to a crash, or another replica's
 *    batch overtaken) from the index before going on.
 * Every message is yielded once, in seq order. `afterSeq` undefined → live only.
 */
export async function* messageStream(
  bus: EventBus,
  index: MessageIndex,
  corpId: string,
  filter: MessageStreamFilter,
  afterSeq: number | undefined,
  signal?: AbortSignal,
): AsyncGenerator<IndexedMessage> {
  const live = bus.subscribe('message', corpId);
  const stop = () => void live.return?.();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    // Without a cursor, "live" starts at the index's current end.
    let last = afterSeq ?? (await index.lastSeq(corpId));
    const readFromIndex = async function* (upTo: number) {
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
    };
    if (afterSeq !== undefined) yield* readFromIndex(await index.lastSeq(corpId));
    for await (const batch of live) {
      if (batch.toSeq <= last) continue;
      if (batch.fromSeq > last + 1) yield* readFromIndex(batch.fromSeq - 1);
      for (const m of batch.messages) {
        if (m.seq <= last) continue;
        last = m.seq;
        if (matchesQuery(m, filter)) yield m;
      }
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    await live.return?.();
  }
}
