import { type ExecutionResult, GraphQLError } from 'graphql';

/**
 * A result as the JSON body of a GraphQL response (HTTP, SSE and a graphql-ws `next` payload
 * alike): `errors` only when present, each in its spec form (`toJSON`: message, locations,
 * path, extensions; never the stack or the original error).
 */
export function encodeResult(result: ExecutionResult): Buffer {
  const { errors, ...rest } = result;
  return Buffer.from(
    JSON.stringify(errors ? { ...rest, errors: errors.map((e) => withoutHttpExtension(e).toJSON()) } : rest),
  );
}

/** yoga keeps an error's HTTP status in `extensions.http`, for its HTTP answer only: never sent on a socket. */
export function withoutHttpExtension(error: GraphQLError): GraphQLError {
  if (!error.extensions?.['http']) return error;
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { ...error, extensions, originalError: error.originalError });
}
