import type { ExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';

/**
 * A result as the JSON body of a GraphQL response (HTTP, SSE and a graphql-ws `next` payload
 * alike): `errors` only when present, each in its spec form (`toJSON`: message, locations,
 * path, extensions; never the stack or the original error).
 */
export function encodeResult(result: ExecutionResult): Buffer {
  const { errors, ...rest } = result;
  return Buffer.from(JSON.stringify(errors ? { ...rest, errors: errors.map(toSpecJson) } : rest));
}

/** yoga keeps an error's HTTP status in `extensions.http`, for its HTTP answer only: not sent. */
function toSpecJson(error: GraphQLError): GraphQLFormattedError {
  const json = error.toJSON();
  if (!json.extensions?.['http']) return json;
  const { http: _http, ...extensions } = json.extensions;
  return { ...json, extensions };
}
