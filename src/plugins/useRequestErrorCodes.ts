import { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors/codes.js';
import type { Context } from '../resolvers/context.js';

type Result = { data?: unknown; errors?: readonly GraphQLError[] };

/**
 * Request errors raised while executing — variables that do not coerce (a bad enum value, a
 * missing required variable) — come from graphql-js without a code
 * and without a status. They become BAD_USER_INPUT with the GraphQL-over-HTTP "spec" status:
 * 400 under `application/graphql-response+json`, 200 under legacy `application/json`, like the
 * parse, validation and limit errors yoga and useOperationLimits raise (one rule for every
 * rejected operation). A result with `data` holds field errors, which keep their own codes.
 */
export function useRequestErrorCodes(): Plugin<Context> {
  const coded = (result: Result): Result | null => {
    if (result.data !== undefined || !result.errors?.length) return null;
    if (result.errors.every((e) => e.extensions?.['code'])) return null;
    return { ...result, errors: result.errors.map(withCode) };
  };
  return {
    onExecute: () => ({
      onExecuteDone({ result, setResult }) {
        if (isAsyncIterable(result)) return;
        const next = coded(result as Result);
        if (next) setResult(next as typeof result);
      },
    }),
    onSubscribe: () => ({
      onSubscribeResult({ result, setResult }) {
        if (isAsyncIterable(result)) return;
        const next = coded(result as Result);
        if (next) setResult(next as typeof result);
      },
    }),
  };
}

function withCode(error: GraphQLError): GraphQLError {
  if (error.extensions?.['code']) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, code: ErrorCode.BAD_USER_INPUT, http: { spec: true, status: 400 } },
  });
}
