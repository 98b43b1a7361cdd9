import { z } from 'zod';
import { decodeTypedId } from './globalId.js';
import { parseChatRawId } from './ids.js';
import { after, first, minChars, show } from './validation/rules.js';

const MAX_WINDOW_S = 30 * 86_400;
const EMPLOYEE = 1;

const participant = z.object({ type: z.number().int(), id: z.string().min(1) });

/**
 * ChatFilter: exactly one of `id` (a Chat global id), `groupChatId`, or `parties` (the two
 * parties of a single chat). Becomes search_msg `chat_info`.
 */
const chatFilter = z
  .object({
    id: z.string().nullish(),
    groupChatId: z.string().min(1).nullish(),
    parties: z
      .array(participant)
      .length(2, { error: (iss) => `chat.parties must hold exactly 2 participants, got ${show(iss.input)}` })
      .nullish(),
  })
  .superRefine((v, ctx) => {
    const set = [v.id, v.groupChatId, v.parties].filter((x) => x != null).length;
    if (set !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `chat must set exactly one of id, groupChatId, parties, got ${set}`,
      });
    }
  })
  .transform((v) => {
    if (v.groupChatId) return { chat_type: 2 as const, chat_id: v.groupChatId };
    const parties = v.parties ?? chatParties(v.id!);
    if ('chat_id' in parties) return { chat_type: 2 as const, chat_id: parties.chat_id };
    return {
      chat_type: 1 as const,
      id_list: parties.map((p) => (p.type === EMPLOYEE ? { open_userid: p.id } : { external_userid: p.id })),
    };
  });

function chatParties(globalId: string): { type: number; id: string }[] | { chat_id: string } {
  const chat = parseChatRawId(decodeTypedId(globalId, 'Chat', 'chat.id'));
  if (!chat) throw new Error('unreachable: Chat ids always parse');
  return chat.kind === 'GROUP' ? { chat_id: chat.chatId } : chat.parties;
}

const toUnix = (d: Date) => Math.floor(d.getTime() / 1000);

export const searchMessagesArgs = z
  .object({
    query: minChars('query', 2),
    chat: chatFilter.nullish(),
    from: z.date().nullish(),
    to: z.date().nullish(),
    first: first(100),
    after,
  })
  .superRefine((v, ctx) => {
    if (v.to == null) return;
    if (v.from == null) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'from is required when to is set, got null' });
    } else if (v.from >= v.to) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `to must be after from, got from ${v.from.toISOString()} and to ${v.to.toISOString()}`,
      });
    } else if (toUnix(v.to) - toUnix(v.from) > MAX_WINDOW_S) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `from..to must span at most 30 days, got ${((toUnix(v.to) - toUnix(v.from)) / 86_400).toFixed(1)} days`,
      });
    }
  })
  .transform((v) => ({
    query: v.query,
    chat: v.chat ?? undefined,
    from: v.from ? toUnix(v.from) : undefined,
    to: v.to ? toUnix(v.to) : undefined,
    first: v.first,
    after: v.after,
  }));
