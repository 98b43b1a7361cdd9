import type { ExecutionResult } from 'graphql';

/**
 * A result as the JSON body of a GraphQL response (HTTP, SSE and a graphql-ws `next` payload
 * alike): `errors` only when present, each in its spec form (`toJSON`: message, locations,
 * path, extensions; never the stack or the original error).
 */
export function encodeResult(result: ExecutionResult): Buffer {
  const { errors, ...rest } = result;
  return Buffer.from(JSON.stringify(errors ? { ...rest, errors: errors.map((e) => e.toJSON()) } : rest));
}
