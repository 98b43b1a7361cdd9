import { GraphQLError } from 'graphql';

/**
 * Stable `extensions.code` values clients may branch on. Upstream codes mirror
 * `WecomError['code']`; the others are the gateway's own.
 */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  UPSTREAM_ERROR: 'UPSTREAM_ERROR',
  RATE_LIMITED: 'RATE_LIMITED',
  UPSTREAM_CONTRACT: 'UPSTREAM_CONTRACT',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  /**
   * A call that changes state upstream timed out or lost its answer, and the upstream offers no
   * way to find out: it may or may not have happened. The message says what to do.
   */
  UPSTREAM_OUTCOME_UNKNOWN: 'UPSTREAM_OUTCOME_UNKNOWN',
  /** specapi (数据分析专区 over HTTP) is offline upstream since 2024-06-06. */
  SPECAPI_OFFLINE: 'SPECAPI_OFFLINE',
  /** CUSTOM analysis is switched off (WECOM_SPECAPI=off, the default). */
  CUSTOM_ANALYSIS_DISABLED: 'CUSTOM_ANALYSIS_DISABLED',
  CORP_NOT_AUTHORIZED: 'CORP_NOT_AUTHORIZED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** A request that is not a well-formed GraphQL request (bad JSON, a malformed multipart body). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** yoga's: the document has no operation of the given operationName (or several and none named). */
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  /** Depth, aliases, tokens, directives or cost over the configured limit. */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  /** PERSISTED_OPERATIONS=enforce and the document is not on the allow-list. */
  PERSISTED_QUERY_ONLY: 'PERSISTED_QUERY_ONLY',
  CSRF_HEADER_REQUIRED: 'CSRF_HEADER_REQUIRED',
  INTROSPECTION_DISABLED: 'INTROSPECTION_DISABLED',
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  /** The gateway's own store (Redis) did not answer; retry later. */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** A live subscriber's connection did not drain its queued events; it was ended (resubscribe). */
  SLOW_SUBSCRIBER: 'SLOW_SUBSCRIBER',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
  });
}

export function forbidden(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN, ...extensions } });
}

/** `field` is the argument path (e.g. `input.keywords.3`); `value` the rejected value. */
export function badUserInput(message: string, field: string, value: unknown): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, field, value: jsonSafe(value) },
  });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.NOT_FOUND } });
}

/** Files and other non-JSON values must not break the error response. */
function jsonSafe(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'object' && value !== null && typeof (value as Blob).arrayBuffer === 'function') {
    const file = value as File;
    return { name: file.name, size: file.size, type: file.type };
  }
  return value;
}

/** An operation over one of the configured limits; `limit` names it (`depth`, `cost`, …). */
export function tooComplex(message: string, limit: string, max: number, found?: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: ErrorCode.QUERY_TOO_COMPLEX,
      limit,
      max,
      ...(found === undefined ? {} : { found }),
      // A request error: 400 under application/graphql-response+json, 200 under application/json
      // (GraphQL over HTTP), like every other rejected operation.
      http: { spec: true, status: 400 },
    },
  });
}

export function rateLimited(message: string, retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: ErrorCode.RATE_LIMITED,
      retryAfterSeconds,
      http: { status: 429, headers: { 'retry-after': String(retryAfterSeconds) } },
    },
  });
}
