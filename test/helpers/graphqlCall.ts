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

/** Distinct 2-character substrings shared by the most names (for search queries with several hits). */
export function commonBigram(names: string[]): { query: string; matches: string[] } {
  const counts = new Map<string, Set<string>>();
  for (const name of names) {
    const chars = [...name.toLowerCase()];
    for (let i = 0; i + 1 < chars.length; i++) {
      const gram = chars[i]! + chars[i + 1]!;
      if (gram.trim().length < 2) continue;
      const set = counts.get(gram) ?? new Set();
      set.add(name);
      counts.set(gram, set);
    }
  }
  let best = { query: '', matches: [] as string[] };
  for (const [gram, set] of counts) {
    if (set.size > best.matches.length) best = { query: gram, matches: [...set] };
  }
  return best;
}
