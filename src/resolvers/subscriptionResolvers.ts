import { z } from 'zod';
import type { IndexedMessage } from '../datasources/store/MessageIndex.js';
import type { CorpRecord, ExportTaskRecord } from '../datasources/store/ports.js';
import { ALL_CORPS, type ConsentEvent } from '../ingest/EventBus.js';
import { messageStream } from '../ingest/messageStream.js';
import type { Context, IngestView } from './context.js';
import { decodeTypedId } from './globalId.js';
import { splitCorpScopedId } from './ids.js';
import { decodeIndexCursor, encodeIndexCursor } from './indexCursor.js';
import { chatFromGlobalId, chatKeyOfChat } from './messageFilterArgs.js';
import type { ConsentShape, KeywordHitShape } from './shapes.js';
import { validate } from './validation/validate.js';

export type MessageEventShape = { cursor: string; message: IndexedMessage };

function ingestOf(ctx: Context): IngestView {
  if (!ctx.ingest) throw new Error('live events are not configured in this process');
  return ctx.ingest;
}

/**
 * Every subscription checks corp and scope when it starts (synchronously, so a refusal is an
 * error result, not a broken stream) and again for each event; each event gets fresh loaders.
 */
function gated<T>(ctx: Context, corpId: string, source: AsyncIterable<T>): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const item of source) {
        ctx.access.requireCorp(corpId);
        ctx.renewLoaders();
        yield item;
      }
    },
  };
}

const messageAddedArgs = z.object({
  corpId: z.string().min(1),
  chatId: z.string().nullish(),
  participantId: z.string().min(1).max(128).nullish(),
  after: z.string().nullish(),
});

export function subscribeMessageAdded(args: unknown, ctx: Context): AsyncIterable<MessageEventShape> {
  const input = validate(messageAddedArgs, args);
  ctx.access.requireCorp(input.corpId);
  const chat = input.chatId ? chatFromGlobalId(input.chatId, 'chatId') : null;
  if (chat && chat.corpId !== input.corpId) ctx.access.requireCorp(chat.corpId);
  const afterSeq = decodeIndexCursor(input.after, input.corpId, 'after');
  const { bus, index } = ingestOf(ctx);
  const stream = messageStream(
    bus,
    index,
    input.corpId,
    { chatKey: chat ? chatKeyOfChat(chat) : undefined, participantId: input.participantId ?? undefined },
    afterSeq,
  );
  return gated(
    ctx,
    input.corpId,
    mapAsync(stream, (m) => ({ cursor: encodeIndexCursor(input.corpId, m.seq), message: m })),
  );
}

const keywordHitArgs = z.object({
  corpId: z.string().min(1),
  ruleIds: z.array(z.string()).max(500).nullish(),
});

export function subscribeKeywordHit(args: unknown, ctx: Context): AsyncIterable<KeywordHitShape> {
  const input = validate(keywordHitArgs, args);
  ctx.access.requireCorp(input.corpId);
  const wanted = input.ruleIds
    ? new Set(
        input.ruleIds.map(
          (id, i) => splitCorpScopedId(decodeTypedId(id, 'KeywordRule', `ruleIds.${i}`))?.localId,
        ),
      )
    : null;
  const ingest = ingestOf(ctx);
  const corpId = input.corpId;
  async function* hits(): AsyncGenerator<KeywordHitShape> {
    for await (const event of ingest.bus.subscribe('keywordHit', corpId)) {
      const rules = event.rules.filter((r) => !wanted || wanted.has(r.ruleId));
      if (rules.length === 0) continue;
      const message = await ingest.index.get(corpId, event.msgid);
      for (const r of rules) {
        yield {
          corpId,
          msgid: event.msgid,
          ruleId: r.ruleId,
          hasHitKeyword: r.hasHitKeyword,
          behaviours: r.semantics,
          message,
        };
      }
    }
  }
  return gated(ctx, corpId, hits());
}

const corpArgs = z.object({ corpId: z.string().min(1) });

export function subscribeConsentChanged(args: unknown, ctx: Context): AsyncIterable<ConsentShape> {
  const { corpId } = validate(corpArgs, args);
  ctx.access.requireCorp(corpId);
  const events = ingestOf(ctx).bus.subscribe('consent', corpId);
  return gated(
    ctx,
    corpId,
    mapAsync(events, (e: ConsentEvent) => ({
      employeeId: e.employeeId,
      externalUserId: e.externalUserId,
      chatId: e.chatId,
      status: e.status,
      changedAt: e.changedAt,
    })),
  );
}

export function subscribeExportTaskUpdated(args: unknown, ctx: Context): AsyncIterable<ExportTaskRecord> {
  const { corpId } = validate(corpArgs, args);
  ctx.access.requireCorp(corpId, 'corp:read');
  return gated(ctx, corpId, ingestOf(ctx).bus.subscribe('exportTask', corpId));
}

/** Authorization changes of the corps this client may see (others are filtered out, not refused). */
export function subscribeCorpAuthorizationChanged(ctx: Context): AsyncIterable<CorpRecord> {
  ctx.access.requireScope('corp:read');
  const events = ingestOf(ctx).bus.subscribe('corpAuth', ALL_CORPS);
  return {
    async *[Symbol.asyncIterator]() {
      for await (const record of events) {
        if (!ctx.access.canSeeCorp(record.corpId)) continue;
        ctx.renewLoaders();
        yield record;
      }
    },
  };
}

function mapAsync<A, B>(source: AsyncIterable<A>, fn: (a: A) => B): AsyncIterable<B> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const item of source) yield fn(item);
    },
  };
}
