import { GraphQLError } from 'graphql';
import { UpstreamBlockedError } from '../datasources/wecom/CircuitBreaker.js';
import { WecomError } from '../datasources/wecom/WecomError.js';
import { ErrorCode } from './codes.js';
import { UPSTREAM_USER_ERRORS } from './upstreamUserErrors.js';

/**
 * The one place where failures become client-visible errors (yoga `maskedErrors.maskError`).
 * Coded GraphQLErrors pass through; a WecomError anywhere in the cause chain becomes its
 * stable code with path / errcode / retryable; everything else is masked unless `expose`.
 */
export function createMaskError(expose: boolean) {
  return function maskError(error: unknown, message: string): Error {
    const wecom = findWecomError(error);
    if (wecom) return fromWecomError(wecom, error);
    // Coded errors (ours, located by graphql-js) and parse/validation errors are the client's own.
    if (isGraphQLError(error) && (!error.originalError || isGraphQLError(error.originalError))) {
      return clientError(error);
    }
    if (isStoreOutage(error)) {
      return new GraphQLError('the gateway store is unavailable right now; retry shortly', {
        ...(isGraphQLError(error)
          ? { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path }
          : {}),
        extensions: { code: ErrorCode.STORE_UNAVAILABLE, retryable: true },
      });
    }
    const detail = expose ? describe(error) : undefined;
    return new GraphQLError(expose && detail ? detail : message, {
      ...(isGraphQLError(error)
        ? { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path }
        : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    });
  };
}

/**
 * A GraphQLError of the client's own, with a code and the GraphQL-over-HTTP status. yoga raises a
 * few without a code (a malformed multipart request: "Missing multipart form field"): they are
 * BAD_REQUEST, and 400 when they refused the request itself (no path: nothing executed). An
 * unknown operationName is a request error like a validation error: 400 under
 * `application/graphql-response+json`, 200 under legacy `application/json` (yoga says 400 for both).
 */
function clientError(error: GraphQLError): GraphQLError {
  const code = error.extensions?.['code'];
  if (code === ErrorCode.OPERATION_RESOLUTION_FAILURE) {
    const http = error.extensions['http'] as { spec?: boolean } | undefined;
    if (http?.spec) return error;
    return withExtensions(error, { http: { ...http, spec: true, status: 400 } });
  }
  if (code) return error;
  return withExtensions(error, {
    code: ErrorCode.BAD_REQUEST,
    ...(error.path || error.extensions?.['http'] ? {} : { http: { status: 400 } }),
  });
}

function withExtensions(error: GraphQLError, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, ...extensions },
  });
}

function findWecomError(error: unknown): WecomError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof WecomError) return current;
    current = isGraphQLError(current) ? current.originalError : (current as { cause?: unknown }).cause;
  }
  return null;
}

/**
 * One shape for every upstream failure: API path, errcode / HTTP status, retryable. Errcodes that
 * mean the client's input, something not found or not allowed for the corp
 * (src/errors/upstreamUserErrors.ts) get that code and a sentence saying what to do instead.
 */
export function fromWecomError(wecom: WecomError, wrapper?: unknown): GraphQLError {
  const located = isGraphQLError(wrapper) ? wrapper : undefined;
  const user =
    wecom.code === 'UPSTREAM_ERROR' && wecom.errcode !== null
      ? UPSTREAM_USER_ERRORS.get(wecom.errcode)
      : undefined;
  if (user) {
    return new GraphQLError(`${user.advice} (WeCom ${wecom.path} errcode ${wecom.errcode})`, {
      nodes: located?.nodes,
      source: located?.source,
      positions: located?.positions,
      path: located?.path,
      extensions: {
        code: user.code,
        path: wecom.path,
        errcode: wecom.errcode,
        upstreamMessage: wecom.message,
        retryable: false,
        ...(wecom.hint ? { hint: wecom.hint } : {}),
      },
    });
  }
  return new GraphQLError(wecom.message, {
    nodes: located?.nodes,
    source: located?.source,
    positions: located?.positions,
    path: located?.path,
    extensions: {
      code: wecom.code,
      path: wecom.path,
      errcode: wecom.errcode,
      httpStatus: wecom.httpStatus,
      retryable: wecom.retryable,
      ...(wecom.hint ? { hint: wecom.hint } : {}),
      ...(wecom instanceof UpstreamBlockedError ? { retryAfterSeconds: wecom.retryAfterSeconds } : {}),
    },
  });
}

function describe(error: unknown): string | undefined {
  if (isGraphQLError(error)) return describe(error.originalError) ?? error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return undefined;
}

/**
 * By shape, not `instanceof`: graphql ships CJS and ESM builds, and a bundler or test runner
 * may load both, so an error from graphql-js need not be an instance of our GraphQLError.
 */
export function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}

/** ioredis failing fast while Redis is down (no offline queue, capped retries, closed connection). */
const STORE_OUTAGE = /enableOfflineQueue|max retries per request|Connection is closed|ECONNREFUSED .*:\d+$/i;

function isStoreOutage(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const e = current as { name?: unknown; message?: unknown };
    if (e.name === 'MaxRetriesPerRequestError') return true;
    if (typeof e.message === 'string' && STORE_OUTAGE.test(e.message)) return true;
    current = isGraphQLError(current) ? current.originalError : (current as { cause?: unknown }).cause;
  }
  return false;
}
