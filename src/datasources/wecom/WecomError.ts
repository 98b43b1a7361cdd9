import { z } from 'zod';
import { describeIssues } from './endpoints/describeIssues.js';

export type WecomErrorCode =
  | 'UPSTREAM_ERROR'
  | 'RATE_LIMITED'
  | 'UPSTREAM_CONTRACT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_TIMEOUT'
  /** A state-changing call timed out or lost its answer: it may or may not have happened. */
  | 'UPSTREAM_OUTCOME_UNKNOWN'
  /** An auth code was used upstream but its answer lost: the corp needs reset_permanent_code. */
  | 'AUTHORIZATION_LOST'
  /** specapi (数据分析专区 over HTTP) refused: offline upstream since 2024-06-06. */
  | 'SPECAPI_OFFLINE'
  | 'CORP_NOT_AUTHORIZED';

type WecomErrorFields = {
  code: WecomErrorCode;
  path: string;
  errcode: number | null;
  httpStatus: number | null;
  retryable: boolean;
  hint: string | null;
  cause?: unknown;
};

/** Every upstream failure, in one shape: the API path, errcode or HTTP status, and whether a retry may help. */
export class WecomError extends Error {
  override name = 'WecomError';
  readonly code: WecomErrorCode;
  /** API path without the query string (tokens never appear here). */
  readonly path: string;
  readonly errcode: number | null;
  readonly httpStatus: number | null;
  readonly retryable: boolean;
  /** WeCom's request id from the errmsg trailer `hint: [...]`, for support tickets. */
  readonly hint: string | null;

  constructor(message: string, fields: WecomErrorFields) {
    super(redactSecrets(message), fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = fields.code;
    this.path = redactSecrets(fields.path).split('?')[0] ?? fields.path;
    this.errcode = fields.errcode;
    this.httpStatus = fields.httpStatus;
    this.retryable = fields.retryable;
    this.hint = fields.hint;
  }
}

/** What the HTTP layer observed; anything else (a thrown error) is classified by its shape. */
export type UpstreamFailure =
  | { kind: 'envelope'; errcode: number; errmsg: string; httpStatus?: number }
  | { kind: 'http'; status: number }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'contract'; error: z.ZodError; body: unknown }
  | { kind: 'invalid-json'; httpStatus: number }
  | { kind: 'network'; cause: unknown }
  /** A thrown error that is neither a network nor a timeout failure: not worth retrying. */
  | { kind: 'unexpected'; cause: unknown };

/** -1 system busy, 45033 concurrency limit: the same call usually succeeds a moment later. */
const RETRYABLE_ERRCODES = new Set([-1, 45033]);
/** 48004 authorization invalid or cancelled, 40084 permanent code invalid: the corp must re-authorize. */
const NOT_AUTHORIZED_ERRCODES = new Set([48004, 40084]);
const RATE_LIMITED_ERRCODE = 45009;

const SECRET_QUERY =
  /((?:suite_|provider_)?access_token|suite_ticket|suite_secret|permanent_code|corpsecret)=[^&\s"']*/gi;

/** Removes token values from URLs or text that may have picked one up. */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_QUERY, '$1=***');
}

/** `..., hint: [1712540000_1_abc], from ip: ...` → `1712540000_1_abc`. */
export function parseHint(errmsg: string): string | null {
  return /hint:\s*\[([^\]]*)\]/.exec(errmsg)?.[1] ?? null;
}

/** The human part of errmsg, without the hint/ip/more-info trailer. */
function errmsgHead(errmsg: string): string {
  const cut = errmsg.search(/,?\s*hint:\s*\[/);
  return (cut >= 0 ? errmsg.slice(0, cut) : errmsg).trim();
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

function classifyThrown(error: unknown): UpstreamFailure {
  if (error instanceof z.ZodError) return { kind: 'contract', error, body: undefined };
  const code = (error as { code?: unknown } | null)?.code;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
    return { kind: 'timeout', timeoutMs: 0 };
  }
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('UND_ERR_'))) {
    return { kind: 'network', cause: error };
  }
  return { kind: 'unexpected', cause: error };
}

/**
 * The one place upstream failures become `WecomError`s. `path` may carry a query string; token
 * values are stripped. Already-converted errors pass through unchanged.
 */
export function toWecomError(path: string, failure: UpstreamFailure | unknown): WecomError {
  if (failure instanceof WecomError) return failure;
  const f: UpstreamFailure = isFailure(failure) ? failure : classifyThrown(failure);
  const api = redactSecrets(path).split('?')[0] ?? path;
  const base = { path: api, errcode: null, httpStatus: null, hint: null };
  switch (f.kind) {
    case 'envelope': {
      const fields = {
        ...base,
        errcode: f.errcode,
        httpStatus: f.httpStatus ?? 200,
        hint: parseHint(f.errmsg),
      };
      const text = `${api} failed with errcode ${f.errcode}: ${errmsgHead(f.errmsg)}`;
      if (f.errcode === RATE_LIMITED_ERRCODE) {
        return new WecomError(`${text} (rate limited; blocks last 60 s or more)`, {
          ...fields,
          code: 'RATE_LIMITED',
          retryable: false,
        });
      }
      if (NOT_AUTHORIZED_ERRCODES.has(f.errcode)) {
        return new WecomError(`${text} (corp authorization is missing or cancelled)`, {
          ...fields,
          code: 'CORP_NOT_AUTHORIZED',
          retryable: false,
        });
      }
      return new WecomError(text, {
        ...fields,
        code: 'UPSTREAM_ERROR',
        retryable: RETRYABLE_ERRCODES.has(f.errcode),
      });
    }
    case 'http': {
      const fields = { ...base, httpStatus: f.status };
      if (f.status >= 500) {
        return new WecomError(`${api} answered HTTP ${f.status}`, {
          ...fields,
          code: 'UPSTREAM_UNAVAILABLE',
          retryable: true,
        });
      }
      if (f.status === 429) {
        return new WecomError(`${api} answered HTTP 429`, {
          ...fields,
          code: 'RATE_LIMITED',
          retryable: false,
        });
      }
      return new WecomError(`${api} answered HTTP ${f.status}, expected 200`, {
        ...fields,
        code: 'UPSTREAM_ERROR',
        retryable: false,
      });
    }
    case 'timeout':
      return new WecomError(
        `${api} timed out${f.timeoutMs > 0 ? ` after ${f.timeoutMs} ms` : ''} (deadline exceeded)`,
        { ...base, code: 'UPSTREAM_TIMEOUT', retryable: true },
      );
    case 'contract':
      return new WecomError(
        `${api} response broke the contract: ${describeIssues(f.error.issues, f.body, 'types')}`,
        { ...base, httpStatus: 200, code: 'UPSTREAM_CONTRACT', retryable: false },
      );
    case 'invalid-json':
      return new WecomError(`${api} answered HTTP ${f.httpStatus} with a body that is not JSON`, {
        ...base,
        httpStatus: f.httpStatus,
        code: 'UPSTREAM_CONTRACT',
        retryable: false,
      });
    case 'network': {
      const cause = f.cause as { code?: unknown; message?: unknown } | null;
      const detail = typeof cause?.code === 'string' ? cause.code : String(cause?.message ?? cause);
      return new WecomError(`${api} unreachable: ${detail}`, {
        ...base,
        code: 'UPSTREAM_UNAVAILABLE',
        retryable: true,
        cause: f.cause,
      });
    }
    case 'unexpected':
      return new WecomError(`${api} failed: ${String((f.cause as Error | null)?.message ?? f.cause)}`, {
        ...base,
        code: 'UPSTREAM_ERROR',
        retryable: false,
        cause: f.cause,
      });
  }
}

function isFailure(value: unknown): value is UpstreamFailure {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Error) &&
    (kind === 'envelope' ||
      kind === 'http' ||
      kind === 'timeout' ||
      kind === 'contract' ||
      kind === 'invalid-json' ||
      kind === 'network' ||
      kind === 'unexpected')
  );
}

/** A request we built broke the upstream contract: a bug on our side, never sent. */
export class WecomRequestError extends Error {
  override name = 'WecomRequestError';
  readonly code = 'INVALID_UPSTREAM_REQUEST' as const;
  constructor(
    readonly path: string,
    readonly issues: readonly z.core.$ZodIssue[],
    input: unknown,
  ) {
    super(`${path} request is invalid: ${describeIssues(issues, input, 'show')}`);
  }
}
