import type { ArchivedMessage } from '../datasources/store/ports.js';
import type { ChatdataRequest } from '../datasources/wecom/upstreamSchemas.js';
import type { Context } from './context.js';
import { forCorp } from './forCorp.js';
import { singleChat, splitCorpScopedId } from './ids.js';
import { searchMessagesArgs } from './searchMessagesArgs.js';
import type { ChatShape } from './shapes.js';
import { type Connection, upstreamConnection } from './upstreamConnection.js';
import { validate } from './validation/validate.js';

/**
 * search_msg returns msgids only. Each is hydrated from the message index (MessageLookup);
 * a msgid the index does not hold (or every msgid, while no index is attached) is skipped:
 * the edge is dropped but the cursors still advance past it.
 */
export async function searchMessages(
  corpId: string,
  args: unknown,
  ctx: Context,
): Promise<Connection<ArchivedMessage>> {
  const loaders = forCorp(ctx, corpId);
  const input = validate(searchMessagesArgs, args);
  const body: ChatdataRequest<'search_msg'> = { query_word: input.query };
  if (input.chat) body.chat_info = input.chat;
  if (input.from !== undefined) body.start_time = input.from;
  if (input.to !== undefined) body.end_time = input.to;
  return upstreamConnection({
    first: input.first,
    after: input.after,
    maxLimit: 100,
    fetch: async (cursor, limit) => {
      const res = await ctx.ds.api.chatdata(corpId, 'search_msg', { ...body, cursor, limit });
      return { items: res.msg_list, nextCursor: res.next_cursor, hasMore: res.has_more };
    },
    toNodes: async (items) => {
      const found = await loaders.message.loadMany(items.map((m) => m.msgid));
      return found.map((m) => (m instanceof Error ? null : m));
    },
  });
}

/** `node(id:)` for messages: `corpId|msgid`, from the index; null when the index lacks it. */
export async function loadMessage(rawId: string, ctx: Context): Promise<ArchivedMessage | null> {
  const parts = splitCorpScopedId(rawId);
  if (!parts) return null;
  return forCorp(ctx, parts.corpId).message.load(parts.localId);
}

/** Group messages belong to their group; others to the single chat of sender and first receiver. */
export function messageChat(message: ArchivedMessage): ChatShape {
  if (message.chatId) return { corpId: message.corpId, kind: 'GROUP', chatId: message.chatId };
  const other = message.receivers[0] ?? message.sender;
  return singleChat(message.corpId, message.sender, other);
}

export type MessageDisplay = { messageId: string; secretKey: string; publicKeyVersion: number };

/** The per-message secret key for `ww-open-message`; needs content:display on the message's corp. */
export async function messageDisplay(message: ArchivedMessage, ctx: Context): Promise<MessageDisplay> {
  ctx.access.requireCorp(message.corpId, 'content:display');
  const secretKey = await ctx.ds.keys.decryptSecretKey(
    message.corpId,
    message.publicKeyVersion,
    message.encryptedSecretKey,
  );
  return { messageId: message.msgid, secretKey, publicKeyVersion: message.publicKeyVersion };
}
