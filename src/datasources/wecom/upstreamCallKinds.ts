import { WecomError } from './WecomError.js';

/**
 * Which upstream calls change state, in one place (issue 11, point 4). The HTTP layer never
 * repeats one of these after a timeout, a dropped connection or a 5xx without a WeCom envelope:
 * the call may have taken effect, and the answer was lost. It surfaces
 * UPSTREAM_OUTCOME_UNKNOWN instead, and the call site reconciles where the upstream allows it
 * (src/datasources/wecom/reconcile/). Each entry says what a second call does upstream, and so
 * how its reconcile reads the answer.
 *
 * What IS retried for these calls, per the usual rules (UPSTREAM_RETRIES, backoff, budget):
 *  - an answer with a WeCom envelope that refuses the call (-1 system busy, 45033 too many
 *    concurrent calls): WeCom answered, and its answer says the call was not carried out, so a
 *    repeat cannot do anything twice;
 *  - a connection that could not be opened (refused, DNS, connect timeout): nothing was sent.
 *
 * Every other call is a read or idempotent and keeps the ordinary retries. Among them:
 *  - keyword/update_rule: the same body sets the same rule again;
 *  - get_suite_token / get_corp_token / jsapi tickets: every call issues a fresh credential and
 *    earlier ones stay valid until they expire.
 */
export const STATE_CHANGING_CALLS: ReadonlyMap<string, string> = new Map([
  ['/cgi-bin/chatdata/set_public_key', 'the same version again answers 40212'],
  ['/cgi-bin/service/get_permanent_code', 'the auth code is single use: again answers 40078'],
  ['/cgi-bin/service/v2/get_permanent_code', 'the auth code is single use: again answers 40078'],
  ['/cgi-bin/chatdata/export/create_job', 'the export code is single use: again answers 42022'],
  ['/cgi-bin/chatdata/keyword/create_rule', 'again creates a second rule'],
  ['/cgi-bin/chatdata/keyword/delete_rule', 'again answers 710612 (no such rule)'],
  [
    '/cgi-bin/chatdata/analyze_task_add',
    'without jobid again starts a second job; with one, duplicates are dropped',
  ],
  ['/cgi-bin/chatdata/analyze_task_submit', 'again answers 710617 (already submitted)'],
  ['/cgi-bin/chatdata/specapi/create_job', 'the custom_id is single use: again answers 710626'],
  [
    '/cgi-bin/media/upload',
    // The reconcile is the repeat itself (uploadMediaReconciled), made on purpose and once: a
    // lost upload's media_id is never returned to anyone, nothing can refer to it, and it expires
    // upstream after 3 days, so uploading again changes no state twice; the caller gets exactly
    // the one media_id it saw.
    'again creates another temp media id; the lost one is never returned to anyone and expires after 3 days',
  ],
]);

export function isStateChanging(path: string): boolean {
  return STATE_CHANGING_CALLS.has(path);
}

/** Connection failures that happen before a byte of the request left: the call did not happen. */
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * True when a failed attempt may have been carried out upstream: a timeout, a connection that
 * dropped after the request was sent, or a 5xx that is not a WeCom answer. An envelope (any
 * errcode) is WeCom's word on the call; a connection never opened sent nothing.
 */
export function mayHaveTakenEffect(error: WecomError): boolean {
  if (error.errcode !== null) return false;
  if (error.code === 'UPSTREAM_TIMEOUT') return true;
  if (error.code !== 'UPSTREAM_UNAVAILABLE') return false;
  if (error.httpStatus !== null) return true;
  const cause = error.cause as { code?: unknown } | undefined;
  return !(typeof cause?.code === 'string' && NEVER_SENT.has(cause.code));
}

/** The stable error of a state-changing call whose outcome is unknown; never retried blindly. */
export function outcomeUnknown(error: WecomError): WecomError {
  const what = STATE_CHANGING_CALLS.get(error.path) ?? 'it changes state upstream';
  return new WecomError(
    `${error.path} outcome unknown: ${error.message}; the call may have taken effect upstream, so it ` +
      `was not repeated (${what})`,
    {
      code: 'UPSTREAM_OUTCOME_UNKNOWN',
      path: error.path,
      errcode: null,
      httpStatus: error.httpStatus,
      retryable: false,
      hint: null,
      cause: error,
    },
  );
}

/** The same unknown outcome, with what the caller should do now (a reconcile could not settle it). */
export function unknownWithAdvice(lost: WecomError, advice: string, cause: unknown = lost): WecomError {
  return new WecomError(`${lost.message}; ${advice}`, {
    code: 'UPSTREAM_OUTCOME_UNKNOWN',
    path: lost.path,
    errcode: null,
    httpStatus: lost.httpStatus,
    retryable: false,
    hint: null,
    cause,
  });
}

export function isOutcomeUnknown(error: unknown): error is WecomError {
  return error instanceof WecomError && error.code === 'UPSTREAM_OUTCOME_UNKNOWN';
}
