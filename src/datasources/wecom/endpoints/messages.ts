import { z } from 'zod';
import { cursorRequest, hasMore, limitRequest, minChars, nextCursor, nonEmpty } from './common.js';

/** sender / receiver: type 1 employee, 2 external contact, 3 robot (other ints tolerated). */
const party = z.object({ type: z.number().int(), id: z.string() });

export const serviceEncryptInfo = z.object({
  encrypted_secret_key: z.string().min(1),
  public_key_ver: z.number().int(),
});

const messageMeta = {
  sender: party,
  receiver_list: z.array(party).default([]),
  /** Only on group messages. */
  chatid: z.string().optional(),
  /** unix seconds */
  send_time: z.number().int(),
  msgtype: z.number().int(),
  service_encrypt_info: serviceEncryptInfo,
};

export const archivedMessage = z.object({ msgid: z.string().min(1), ...messageMeta });

/**
 * The sync_msg envelope alone, records unread: the sync loop validates each record with
 * `classifySyncRecord` (src/ingest), so one record off the contract cannot stop a corp.
 */
export const syncMsgPage = z.object({
  has_more: hasMore,
  next_cursor: nextCursor,
  msg_list: z.array(z.unknown()).default([]),
});

export const syncMsg = {
  request: z.strictObject({
    cursor: cursorRequest,
    token: z.string().max(128, 'token must be at most 128 bytes').optional(),
    limit: limitRequest(1000),
  }),
  response: syncMsgPage,
};

export const groupchatGet = {
  request: z.strictObject({ chatid: nonEmpty }),
  response: z.object({
    creator: z.string(),
    room_create_time: z.number().int(),
    members: z
      .array(z.object({ memberid: z.string(), jointime: z.number().int(), type: z.number().int() }))
      .default([]),
  }),
};

export const searchChat = {
  request: z.strictObject({
    query_word: minChars(2, 'query_word'),
    limit: limitRequest(100),
    cursor: cursorRequest,
  }),
  response: z.object({
    has_more: hasMore,
    next_cursor: nextCursor,
    chat_list: z.array(z.object({ chatid: z.string() })).default([]),
  }),
};

const idInfo = z
  .strictObject({ open_userid: z.string().min(1).optional(), external_userid: z.string().min(1).optional() })
  .refine((v) => v.open_userid !== undefined || v.external_userid !== undefined, {
    message: 'id_list entry needs open_userid or external_userid',
  });

const THIRTY_DAYS_S = 30 * 86_400;

export const searchMsg = {
  request: z
    .strictObject({
      query_word: minChars(2, 'query_word'),
      chat_info: z
        .strictObject({
          chat_type: z
            .union([z.literal(1), z.literal(2)], 'chat_type must be 1 (single) or 2 (group)')
            .optional(),
          id_list: z.array(idInfo).length(2, 'id_list must hold exactly 2 parties').optional(),
          chat_id: z.string().min(1).optional(),
        })
        .optional(),
      start_time: z.number().int().nonnegative().optional(),
      end_time: z.number().int().nonnegative().optional(),
      limit: limitRequest(100),
      cursor: cursorRequest,
    })
    .superRefine((v, ctx) => {
      const info = v.chat_info;
      if (info?.chat_type === 1 && info.chat_id !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['chat_info', 'chat_id'],
          message: 'chat_id is for group chats only',
        });
      }
      if (info?.chat_type === 2 && info.id_list !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['chat_info', 'id_list'],
          message: 'id_list is for single chats only',
        });
      }
      if (v.end_time === undefined) return;
      if (v.start_time === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['start_time'],
          message: 'start_time is required with end_time',
        });
      } else if (v.start_time >= v.end_time) {
        ctx.addIssue({
          code: 'custom',
          path: ['end_time'],
          message: 'end_time must be greater than start_time',
        });
      } else if (v.end_time - v.start_time > THIRTY_DAYS_S) {
        ctx.addIssue({ code: 'custom', path: ['end_time'], message: 'the window must be at most 30 days' });
      }
    }),
  response: z.object({
    has_more: hasMore,
    next_cursor: nextCursor,
    msg_list: z.array(z.object({ msgid: z.string() })).default([]),
  }),
};

export const getHitMsgList = {
  request: z.strictObject({
    cursor: z.string().max(64, 'cursor must be at most 64 bytes').optional(),
    token: z.string().max(128, 'token must be at most 128 bytes').optional(),
    need_detail: z.union([z.literal(0), z.literal(1)], 'need_detail must be 0 or 1').optional(),
    limit: limitRequest(1000),
  }),
  response: z.object({
    has_more: hasMore,
    next_cursor: nextCursor,
    msg_list: z
      .array(
        z.object({
          msgid: z.string().min(1),
          msg_detail: z.object(messageMeta).optional(),
          hit_rule_list: z
            .array(
              z.object({
                rule_id: z.string(),
                has_hit_keyword: z.boolean().default(false),
                semantics_list: z.array(z.number().int()).default([]),
              }),
            )
            .default([]),
        }),
      )
      .default([]),
  }),
};
