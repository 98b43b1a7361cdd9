import { ErrorCode } from './codes.js';

type UserErrorCode =
  | typeof ErrorCode.BAD_USER_INPUT
  | typeof ErrorCode.NOT_FOUND
  | typeof ErrorCode.FORBIDDEN;

/** What a client is told instead of a raw UPSTREAM_ERROR: its own code and what to do about it. */
export type UpstreamUserError = { code: UserErrorCode; advice: string };

const input = (advice: string): UpstreamUserError => ({ code: ErrorCode.BAD_USER_INPUT, advice });
const notFound = (advice: string): UpstreamUserError => ({ code: ErrorCode.NOT_FOUND, advice });
const forbidden = (advice: string): UpstreamUserError => ({ code: ErrorCode.FORBIDDEN, advice });

/**
 * The one table of upstream errcodes that mean "your input", "not found" or "not allowed for
 * this corp" (docs/upstream.md §2.2, WeCom 90313). Applied where upstream failures become client errors
 * (src/errors/maskError.ts `fromWecomError`); the errcode and API path stay in `extensions`.
 * Codes that mean a bug on our side (a malformed request we built, a lost token), an operator
 * matter (IP whitelist, suite credentials) or a transient state stay UPSTREAM_ERROR, as do codes
 * not listed here. The gateway's own validation catches most of these before any call; the table
 * covers what only WeCom can know (does the rule still exist, was the code used, is it in scope).
 */
export const UPSTREAM_USER_ERRORS: ReadonlyMap<number, UpstreamUserError> = new Map([
  // Keyword rules
  [
    710612,
    notFound(
      'the keyword rule does not exist (deleted, or never created for this corp); list the current ones with Corp.keywordRules',
    ),
  ],
  [710620, input('the keyword rule id is malformed; use a ruleId from Corp.keywordRules')],
  [710610, input('a keyword rule needs at least one keyword or one behaviour')],
  [710650, input('a keyword rule needs its keyword list; pass keywords (or behaviours)')],
  [710648, input('a behaviour value is not one WeCom knows; use the KeywordBehaviour enum values')],
  [710621, input('a phone number in the rule is not in a format WeCom accepts; check the digits')],
  [710622, input('a bank card number in the rule is not in a format WeCom accepts; check the digits')],
  [
    710619,
    input(
      'the corp already has the most keyword rules WeCom allows (500); delete one with deleteKeywordRule first',
    ),
  ],
  // Scope of the corp's authorization
  [
    710606,
    forbidden(
      "the chat is outside the corp's archive authorization scope; the corp admin must add its members to the archive scope",
    ),
  ],
  [
    710607,
    forbidden(
      "a department is outside the corp's archive authorization scope; choose departments the corp authorized",
    ),
  ],
  [
    710608,
    forbidden("an employee is outside the corp's archive authorization scope; see Corp.authorizedUsers"),
  ],
  [
    710609,
    forbidden(
      "the customer's follower is outside the corp's archive authorization scope; see Corp.authorizedUsers",
    ),
  ],
  [
    710614,
    forbidden(
      "no member of the group is in the corp's archive authorization scope; see Corp.authorizedUsers",
    ),
  ],
  [
    710651,
    forbidden(
      'the corp has no paid conversation-archive edition for this; the corp admin must buy or renew one',
    ),
  ],
  // Things that do not exist (any more)
  [
    301061,
    notFound(
      'an employee or customer id is unknown to this corp; use ids from Corp.authorizedUsers or a chat',
    ),
  ],
  [710624, notFound('the group chat does not exist in this corp; use a chatId from Corp.searchChats')],
  [710601, notFound('a message id is unknown to WeCom (older than 5 days, or from another corp)')],
  [40088, notFound('the task does not exist or has expired; start a new one')],
  // Export
  [
    42003,
    input(
      'the export code is unknown or expired (valid 5 minutes); get a fresh one from <ww-open-button open-type="getExportCode">',
    ),
  ],
  [
    42022,
    input(
      'the export code was already used (each code is single-use); get a new one from <ww-open-button open-type="getExportCode">',
    ),
  ],
  [
    40006,
    input('the template file is empty or too large; upload a doc/docx/xls/xlsx/txt file of at most 20 MB'),
  ],
  [710629, input('too many messages for one export; narrow the export')],
  // Analysis
  [710623, input('too many messages for one analysis task; pass at most 1000 message ids')],
  [710626, input('the custom id is already in use; choose another customId')],
  [710628, input('the summary is too long for WeCom; shorten it')],
]);
