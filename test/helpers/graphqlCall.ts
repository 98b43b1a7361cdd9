import { ClientError, type GraphQLClient } from 'graphql-request';

export type GqlError = { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> };

/** Runs an operation expected to fail (fully or partly) and returns its errors and partial data. */
export async function gqlErrors(
  client: GraphQLClient,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ errors: GqlError[]; data: unknown; status: number }> {
  try {
    const data = await client.request(query, variables);
    throw new Error(`expected errors, got data ${JSON.stringify(data)}`);
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    return {
      errors: (error.response.errors ?? []) as GqlError[],
      data: error.response.data,
      status: error.response.status,
    };
  }
}

/** The codes of the errors, for compact assertions. */
export async function errorCodes(
  client: GraphQLClient,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<string[]> {
  const { errors } = await gqlErrors(client, query, variables);
  return errors.map((e) => String(e.extensions?.['code']));
}

/** GraphQL response data, navigated dynamically by the assertions. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary response shapes.
export type Json = any;
