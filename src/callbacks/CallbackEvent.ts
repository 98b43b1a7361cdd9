import { z } from 'zod';
import { CallbackError, shown } from './CallbackError.js';

// Field limits restate docs/upstream.md §1.1 and §4: auth codes and tickets
// ≤512 bytes, callback Token ≤128, JobId ≤64. Ids get a generous bound, not a guessed format.
const text = (max: number) => z.string().min(1).max(max);
const id = text(128);
const unixSeconds = z
  .string()
  .regex(/^[0-9]{1,12}$/, 'must be unix seconds')
  .transform((value) => Number(value));

const suiteTicket = z.object({
  InfoType: z.literal('suite_ticket'),
  SuiteId: id,
  SuiteTicket: text(512),
  TimeStamp: unixSeconds,
});
const createAuth = z.object({
  InfoType: z.literal('create_auth'),
  SuiteId: id,
  AuthCode: text(512),
  TimeStamp: unixSeconds,
  State: z.string().max(512).optional(),
});
const changeAuth = z.object({
  InfoType: z.literal('change_auth'),
  SuiteId: id,
  AuthCorpId: id,
  TimeStamp: unixSeconds,
});
const cancelAuth = z.object({
  InfoType: z.literal('cancel_auth'),
  SuiteId: id,
  AuthCorpId: id,
  TimeStamp: unixSeconds,
});
const newMessage = z.object({
  InfoType: z.literal('conversation_new_message'),
  SuiteId: id,
  AuthCorpId: id,
  Token: text(128),
  TimeStamp: unixSeconds,
});
const hitKeyword = newMessage.extend({ InfoType: z.literal('hit_keyword') });
// The consent, export and reset events are documented less precisely (docs/upstream.md §4.5, §4.6, §7.6), so
// only what the gateway acts on is required; SuiteId and TimeStamp are checked when present.
const optionalHeader = { SuiteId: id.optional(), TimeStamp: unixSeconds.optional() };
const approvedSingle = z.object({
  InfoType: z.literal('chat_archive_audit_approved_single'),
  ...optionalHeader,
  AuthCorpId: id,
  OpenUserID: id,
  ExternalUserID: id,
  ChatId: id.optional(),
});
const approvedRoom = z.object({
  InfoType: z.literal('chat_archive_audit_approved_room'),
  ...optionalHeader,
  AuthCorpId: id,
  ExternalUserID: id,
  ChatId: id,
});
const exportFinished = z.object({
  InfoType: z.literal('chat_archive_export_finished'),
  ...optionalHeader,
  AuthCorpId: id,
  JobId: text(64),
});
// The corp is learnt from exchanging the AuthCode, so AuthCorpId is not required (some
// deliveries of the generic third-party event carry none).
const resetPermanentCode = z.object({
  InfoType: z.literal('reset_permanent_code'),
  ...optionalHeader,
  AuthCorpId: id.optional(),
  AuthCode: text(512),
});
/**
 * The paid archive API of a corp expired (`advanced_api_expired`) or its trial ended
 * (`trial_expired`, `advanced_api_trial_expired`): ServiceCorpId, AuthCorpId and a nested
 * `<ChatArchiveApi><Edition>` (docs/upstream.md §3.11, §8.2). Only AuthCorpId is required; the edition
 * is kept when it is a number.
 */
const expiryShape = {
  ...optionalHeader,
  ServiceCorpId: id.optional(),
  AuthCorpId: id,
  AdvanceApiType: z.string().max(64).optional(),
  'ChatArchiveApi.Edition': z
    .string()
    .regex(/^[0-9]{1,9}$/, 'must be an edition number')
    .transform((value) => Number(value))
    .optional(),
};
const advancedApiExpired = z.object({ InfoType: z.literal('advanced_api_expired'), ...expiryShape });
const trialExpired = z.object({ InfoType: z.literal('trial_expired'), ...expiryShape });
const advancedApiTrialExpired = z.object({
  InfoType: z.literal('advanced_api_trial_expired'),
  ...expiryShape,
});

export const callbackEventSchema = z.discriminatedUnion('InfoType', [
  suiteTicket,
  createAuth,
  changeAuth,
  cancelAuth,
  newMessage,
  hitKeyword,
  approvedSingle,
  approvedRoom,
  exportFinished,
  resetPermanentCode,
  advancedApiExpired,
  trialExpired,
  advancedApiTrialExpired,
]);

/** A decrypted, validated callback, discriminated by `InfoType` (WeCom's own field names). */
export type CallbackEvent = z.infer<typeof callbackEventSchema>;
export type CallbackInfoType = CallbackEvent['InfoType'];
/** The expiry events, one shape. */
export type ArchiveExpiryEvent = Extract<
  CallbackEvent,
  { InfoType: 'advanced_api_expired' | 'trial_expired' | 'advanced_api_trial_expired' }
>;

export const CALLBACK_INFO_TYPES: readonly CallbackInfoType[] = callbackEventSchema.options.map(
  (option) => option.shape.InfoType.value,
);

export type ParsedCallback = { known: true; event: CallbackEvent } | { known: false; infoType: string };

/**
 * Validates decrypted callback fields. An InfoType this gateway does not know is returned as
 * unknown (to be acknowledged, not dispatched): WeCom adds event types, and rejecting them
 * would only make it retry forever. A known InfoType with a bad or missing field is BAD_EVENT.
 */
export function parseCallbackEvent(fields: Record<string, string>): ParsedCallback {
  const infoType = fields['InfoType'];
  if (infoType === undefined || infoType === '') {
    throw new CallbackError('BAD_EVENT', `InfoType is required, got ${shown(infoType)}`);
  }
  if (!(CALLBACK_INFO_TYPES as readonly string[]).includes(infoType)) return { known: false, infoType };
  const result = callbackEventSchema.safeParse(fields);
  if (result.success) return { known: true, event: result.data };
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.') || '(root)';
  // Values are not echoed: they may be auth codes or tickets.
  const value = fields[field];
  if (value === undefined)
    throw new CallbackError('BAD_EVENT', `${infoType}: ${field} is required but missing`);
  throw new CallbackError(
    'BAD_EVENT',
    `${infoType}: ${field} is invalid (${issue.message.toLowerCase()}), got ${value.length} chars`,
  );
}
