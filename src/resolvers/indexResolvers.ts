import { type FieldNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';
import type { IndexedMessage } from '../datasources/store/MessageIndex.js';
import type { SyncState } from '../ingest/SyncStateStore.js';
import type { Context, IngestView } from './context.js';
import { forCorp } from './forCorp.js';
import { decodeIndexCursor, encodeIndexCursor } from './indexCursor.js';
import { chatFromGlobalId, chatKeyOfChat, indexQuery, messagePageArgs } from './messageFilterArgs.js';
import type { ChatShape, KeywordHitShape } from './shapes.js';
import type { Connection } from './upstreamConnection.js';
import { validate } from './validation/validate.js';

export type IndexConnection = Connection<IndexedMessage> & { totalCount: () => Promise<number> };

function ingestOf(ctx: Context): IngestView {
  if (!ctx.ingest) throw new Error('the message index is not configured in this process');
  return ctx.ingest;
}

/** Corp.messages: the corp's archive from the index, in archive order (or newest first). */
export async function corpMessages(
  corpId: string,
  args: unknown,
  ctx: Context,
  info?: GraphQLResolveInfo,
): Promise<IndexConnection> {
  forCorp(ctx, corpId);
  const input = validate(messagePageArgs, args);
  let chatKey: string | undefined;
  if (input.filter?.chatId) {
    const chat = chatFromGlobalId(input.filter.chatId, 'filter.chatId');
    // A chat of another corp is reachable by id only through its own corp.
    if (chat.corpId !== corpId) ctx.access.requireCorp(chat.corpId, 'corp:read');
    chatKey = chatKeyOfChat(chat);
  }
  return indexConnection(
    ingestOf(ctx),
    indexQuery(corpId, input.filter, chatKey),
    input.first,
    input.after,
    info !== undefined && selectsTotalCount(info),
  );
}

/** Chat.messages: the same listing restricted to the chat (a filter.chatId is ignored). */
export async function chatMessages(
  chat: ChatShape,
  args: unknown,
  ctx: Context,
  info?: GraphQLResolveInfo,
): Promise<IndexConnection> {
  forCorp(ctx, chat.corpId);
  const input = validate(messagePageArgs, args);
  return indexConnection(
    ingestOf(ctx),
    indexQuery(chat.corpId, input.filter, chatKeyOfChat(chat)),
    input.first,
    input.after,
    info !== undefined && selectsTotalCount(info),
  );
}

/**
 * One page from the index. totalCount is read when asked for, once; when the selection asks
 * for it, the count is sent together with the page query (one wait for both, not two in turn).
 */
async function indexConnection(
  ingest: IngestView,
  query: ReturnType<typeof indexQuery>,
  first: number,
  after: string | null | undefined,
  countWithPage: boolean,
): Promise<IndexConnection> {
  const afterSeq = decodeIndexCursor(after, query.corpId);
  const { direction: _direction, ...countQuery } = query;
  let counted: Promise<number> | null = null;
  const totalCount = (): Promise<number> => {
    counted ??= ingest.index.count(countQuery);
    return counted;
  };
  // Handled here too: should the page fail, nobody awaits the count.
  if (countWithPage) totalCount().catch(() => {});
  const page = await ingest.index.query({ ...query, first, after: afterSeq });
  const edges = page.items.map((m) => ({ cursor: encodeIndexCursor(query.corpId, m.seq), node: m }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasMore,
      hasPreviousPage: after !== null && after !== undefined && after !== '',
      startCursor: edges[0]?.cursor ?? null,
      endCursor: page.endSeq === null ? null : encodeIndexCursor(query.corpId, page.endSeq),
    },
    totalCount,
  };
}

const totalCountSelected = new WeakMap<FieldNode, boolean>();

/**
 * Whether the connection field's selection (fragments included) has totalCount; per field node,
 * so once per document. A totalCount skipped by @skip/@include still counts as selected: the
 * count is then read for nothing, the answer is the same.
 */
export function selectsTotalCount(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): boolean {
  const node = info.fieldNodes[0];
  if (!node) return false;
  let known = totalCountSelected.get(node);
  if (known === undefined) {
    known = info.fieldNodes.some(
      (f) => f.selectionSet !== undefined && hasField(f.selectionSet, info.fragments, 0),
    );
    totalCountSelected.set(node, known);
  }
  return known;
}

function hasField(set: SelectionSetNode, fragments: GraphQLResolveInfo['fragments'], depth: number): boolean {
  if (depth > 16) return false;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === 'totalCount') return true;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (hasField(selection.selectionSet, fragments, depth + 1)) return true;
    } else {
      const fragment = fragments[selection.name.value];
      if (fragment && hasField(fragment.selectionSet, fragments, depth + 1)) return true;
    }
  }
  return false;
}

/** Message.hits: the rules this message hit, from hit_keyword → get_hit_msg_list. */
export async function messageHits(message: IndexedMessageLike, ctx: Context): Promise<KeywordHitShape[]> {
  forCorp(ctx, message.corpId);
  const stored = await ctx.loaders.corp(message.corpId).hits.load(message.msgid);
  return (stored?.rules ?? []).map((r) => ({
    corpId: message.corpId,
    msgid: message.msgid,
    ruleId: r.ruleId,
    hasHitKeyword: r.hasHitKeyword,
    behaviours: r.semantics,
    message,
  }));
}
type IndexedMessageLike = Omit<IndexedMessage, 'seq'>;

export type SyncStateShape = SyncState & {
  indexedMessages: number;
  newestMessageAt: number | null;
  now: number;
};

/** Corp.syncState: the checkpoint's age, lag behind the last callback, and the last error. */
export async function corpSyncState(corpId: string, ctx: Context): Promise<SyncStateShape> {
  forCorp(ctx, corpId);
  const ingest = ingestOf(ctx);
  const [state, newest, count] = await Promise.all([
    ingest.syncState.read(corpId),
    ingest.index.query({ corpId, first: 1, direction: 'desc' }),
    ingest.index.count({ corpId }),
  ]);
  return {
    ...state,
    indexedMessages: count,
    newestMessageAt: newest.items[0]?.sendTime ?? null,
    now: Date.now(),
  };
}
