import { z } from 'zod';
import { badUserInput } from '../errors/codes.js';
import type { Context } from './context.js';
import { pairKey } from './createCorpLoaders.js';
import { forCorp } from './forCorp.js';
import { decodeTypedId } from './globalId.js';
import { parseChatRawId } from './ids.js';
import type { ChatMemberShape, ChatShape, ConsentShape, ParticipantShape } from './shapes.js';
import { type Connection, upstreamConnection } from './upstreamConnection.js';
import { after, first, minChars } from './validation/rules.js';
import { validate } from './validation/validate.js';

const EMPLOYEE = 1;
const EXTERNAL = 2;

const searchArgs = z.object({ query: minChars('query', 2), first: first(100), after });

/** search_chat: named groups only (upstream never returns single chats or unnamed groups). */
export async function searchChats(
  corpId: string,
  args: { query: string; first?: number | null; after?: string | null },
  ctx: Context,
): Promise<Connection<ChatShape>> {
  forCorp(ctx, corpId);
  const input = validate(searchArgs, args);
  return upstreamConnection({
    first: input.first,
    after: input.after,
    maxLimit: 100,
    fetch: async (cursor, limit) => {
      const res = await ctx.ds.api.chatdata(corpId, 'search_chat', {
        query_word: input.query,
        cursor,
        limit,
      });
      return { items: res.chat_list, nextCursor: res.next_cursor, hasMore: res.has_more };
    },
    toNodes: (items) => items.map((c): ChatShape => ({ corpId, kind: 'GROUP', chatId: c.chatid })),
  });
}

/**
 * `node(id:)` for chats. Corp access is checked from the id itself. The chat is not looked up:
 * upstream has no existence check that works for every chat (customer groups answer 301059).
 */
export function loadChat(rawId: string, ctx: Context): ChatShape | null {
  const chat = parseChatRawId(rawId);
  if (!chat) return null;
  ctx.access.requireCorp(chat.corpId);
  return chat;
}

/** `Corp.chat(id:)`: the id must be a Chat id of this corp. */
export function chatOfCorp(corpId: string, globalId: string, ctx: Context): ChatShape | null {
  forCorp(ctx, corpId);
  const chat = parseChatRawId(decodeTypedId(globalId, 'Chat'));
  if (!chat) return null;
  if (chat.corpId !== corpId) {
    throw badUserInput(`id must be a Chat of corp "${corpId}", got a chat of another corp`, 'id', globalId);
  }
  return chat;
}

async function groupInfo(chat: ChatShape, ctx: Context) {
  if (chat.kind !== 'GROUP') return null;
  return forCorp(ctx, chat.corpId).groupChat.load(chat.chatId);
}

/** Groups: groupchat/get members; customer groups (301059, no upstream data) give []. Singles: []. */
export async function chatMembers(chat: ChatShape, ctx: Context): Promise<ChatMemberShape[]> {
  return (await groupInfo(chat, ctx))?.members ?? [];
}

export async function chatCreator(chat: ChatShape, ctx: Context): Promise<ParticipantShape | null> {
  const info = await groupInfo(chat, ctx);
  return info ? { type: EMPLOYEE, id: info.creator } : null;
}

export async function chatCreatedAt(chat: ChatShape, ctx: Context): Promise<number | null> {
  return (await groupInfo(chat, ctx))?.createdAt ?? null;
}

/**
 * Whether the chat is the corp's own or with customers, from the chat itself: a single with an
 * external party is a customer chat; a group is a customer group exactly when groupchat/get,
 * which answers for internal groups only, refuses it (301059; one call per group per operation).
 */
export async function chatAudience(chat: ChatShape, ctx: Context): Promise<'INTERNAL' | 'CUSTOMER'> {
  if (chat.kind === 'SINGLE') {
    forCorp(ctx, chat.corpId);
    return chat.parties.some((p) => p.type === EXTERNAL) ? 'CUSTOMER' : 'INTERNAL';
  }
  return (await groupInfo(chat, ctx)) === null ? 'CUSTOMER' : 'INTERNAL';
}

/** Singles: the two parties (from the id). Groups: the members groupchat/get reports. */
export async function chatParticipants(chat: ChatShape, ctx: Context): Promise<ParticipantShape[]> {
  if (chat.kind === 'SINGLE') {
    forCorp(ctx, chat.corpId);
    return chat.parties;
  }
  return (await chatMembers(chat, ctx)).map(({ type, id }) => ({ type, id }));
}

/**
 * Groups: getagreestatus/room. Singles between an employee and a customer: getagreestatus/single
 * through the batched pair loader. Other singles (internal chats) have no consent to ask for.
 */
export async function chatConsents(chat: ChatShape, ctx: Context): Promise<ConsentShape[]> {
  const loaders = forCorp(ctx, chat.corpId);
  if (chat.kind === 'GROUP') return loaders.roomConsents.load(chat.chatId);
  const employee = chat.parties.find((p) => p.type === EMPLOYEE);
  const external = chat.parties.find((p) => p.type === EXTERNAL);
  if (!employee || !external) return [];
  const consent = await loaders.singleConsent.load(pairKey(employee.id, external.id));
  return consent ? [consent] : [];
}
