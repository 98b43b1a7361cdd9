import { z } from 'zod';
import {
  bareResponse,
  charRange,
  cursorRequest,
  hasMore,
  limitRequest,
  nextCursor,
  nonEmpty,
} from './common.js';

const ruleName = charRange(1, 20, 'name');

const ids = <T extends z.ZodType>(item: T, max: number, name: string) =>
  z.array(item).max(max, `${name} must hold at most ${max} entries`);

/**
 * One shape for both directions: requests reject unknown keys, responses drop them. The four id
 * lists hold ≤100 entries each on the HTTP API (docs/upstream.md §8.4).
 */
const rangeShape = {
  target_type: z.object({ type_list: z.array(z.number().int()) }).optional(),
  chat_type: z.object({ type_list: z.array(z.number().int()) }).optional(),
  department: z.object({ id_list: ids(z.number().int(), 100, 'department.id_list') }).optional(),
  user: z.object({ id_list: ids(z.string(), 100, 'user.id_list') }).optional(),
  external_contact: z.object({ id_list: ids(z.string(), 100, 'external_contact.id_list') }).optional(),
  chat: z.object({ id_list: ids(z.string(), 100, 'chat.id_list') }).optional(),
  session_type: z.object({ session_type_list: z.array(z.number().int()) }).optional(),
  exclude_mobile: z.object({ mobile_list: ids(z.string(), 100, 'exclude_mobile.mobile_list') }).optional(),
  exclude_email: z.object({ email_list: ids(z.string(), 100, 'exclude_email.email_list') }).optional(),
  exclude_bank_card: z
    .object({ bank_card_list: ids(z.string(), 100, 'exclude_bank_card.bank_card_list') })
    .optional(),
};

const keywordBody = z.strictObject({
  word_list: z.array(charRange(1, 32, 'each word')).max(20, 'word_list must hold at most 20 words'),
});
/** Key behaviours 1..12 (docs/upstream.md §3.5). */
const semanticsBody = z.strictObject({
  semantics_list: z.array(
    z.number().int().min(1, 'semantics must be 1..12').max(12, 'semantics must be 1..12'),
  ),
});

const ruleFields = {
  keyword: keywordBody.optional(),
  semantics: semanticsBody.optional(),
  applicable_range: z.strictObject(rangeShape).optional(),
};

export const createRule = {
  request: z
    .strictObject({ name: ruleName, ...ruleFields })
    .refine((v) => (v.keyword?.word_list.length ?? 0) > 0 || (v.semantics?.semantics_list.length ?? 0) > 0, {
      message: 'a rule needs at least one keyword.word_list entry or semantics.semantics_list entry',
    }),
  response: z.object({ rule_id: z.string().min(1) }),
};

/** On update an empty list clears that setting, so empty lists are allowed here. */
export const updateRule = {
  request: z.strictObject({ rule_id: nonEmpty, name: ruleName.optional(), ...ruleFields }),
  response: bareResponse,
};

export const deleteRule = { request: z.strictObject({ rule_id: nonEmpty }), response: bareResponse };

export const getRuleList = {
  request: z.strictObject({ cursor: cursorRequest, limit: limitRequest(1000) }),
  response: z.object({
    rule_list: z
      .array(z.object({ rule_id: z.string(), name: z.string(), create_time: z.number().int() }))
      .default([]),
    has_more: hasMore,
    next_cursor: nextCursor,
  }),
};

export const getRuleDetail = {
  request: z.strictObject({ rule_id: nonEmpty }),
  response: z.object({
    rule_id: z.string().optional(),
    name: z.string(),
    keyword: z.object({ word_list: z.array(z.string()).default([]) }).optional(),
    semantics: z.object({ semantics_list: z.array(z.number().int()).default([]) }).optional(),
    applicable_range: z.object(rangeShape).optional(),
  }),
};
