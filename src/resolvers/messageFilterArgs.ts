import { z } from 'zod';
import { singleChatKey } from '../datasources/store/chatKeyOf.js';
import type { MessageQuery } from '../datasources/store/MessageIndex.js';
import { badUserInput } from '../errors/codes.js';
import { decodeGlobalId } from './globalId.js';
import { parseChatRawId } from './ids.js';
import { MESSAGE_TYPES } from './messageType.js';
import type { ChatShape } from './shapes.js';
import { after, first } from './validation/rules.js';

export const messageFilter = z
  .object({
    chatId: z.string().nullish(),
    participantId: z.string().min(1, 'participantId must be a non-empty id').max(128).nullish(),
    type: z.string().nullish(),
    from: z.date().nullish(),
    to: z.date().nullish(),
    newestFirst: z.boolean().nullish(),
  })
  .nullish()
  .refine((f) => !f?.from || !f?.to || f.from < f.to, {
    error: (iss) => {
      const f = iss.input as { from: Date; to: Date };
      return `filter.from must be before filter.to, got ${f.from.toISOString()} .. ${f.to.toISOString()}`;
    },
    path: ['from'],
  });

export const messagePageArgs = z.object({ filter: messageFilter, first: first(100, 20), after });

/** Chat → index key: groups by chatid, single chats by their two parties. */
export function chatKeyOfChat(chat: ChatShape): string {
  return chat.kind === 'GROUP' ? chat.chatId : singleChatKey(chat.parties[0].id, chat.parties[1].id);
}

/** A Chat global id → its corp and index key; BAD_USER_INPUT when it is not a Chat id. */
export function chatFromGlobalId(id: string, field: string): ChatShape {
  const decoded = decodeGlobalId(id, field);
  const chat = decoded.typename === 'Chat' ? parseChatRawId(decoded.id) : null;
  if (!chat) throw badUserInput(`${field} must be a Chat id, got ${JSON.stringify(id)}`, field, id);
  return chat;
}

/** The index query of a validated filter (chat restriction resolved by the caller). */
export function indexQuery(
  corpId: string,
  filter: z.output<typeof messageFilter>,
  chatKey: string | undefined,
): Omit<MessageQuery, 'first' | 'after'> {
  const type = filter?.type ?? undefined;
  return {
    corpId,
    chatKey,
    participantId: filter?.participantId ?? undefined,
    msgtype: type === undefined || type === 'UNKNOWN' ? undefined : MESSAGE_TYPES.indexOf(type as never),
    from: filter?.from ? Math.floor(filter.from.getTime() / 1000) : undefined,
    to: filter?.to ? Math.ceil(filter.to.getTime() / 1000) : undefined,
    direction: filter?.newestFirst ? 'desc' : 'asc',
  };
}
