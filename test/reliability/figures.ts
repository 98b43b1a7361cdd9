/**
 * Figures a reliability suite reports (requests tried, faults injected, errors clients saw,
 * messages lost), printed as one line per suite so a run's output carries them.
 */
export type Figures = Record<string, number | string>;

export function reportFigures(suite: string, figures: Figures): void {
  const parts = Object.entries(figures).map(([k, v]) => `${k}=${v}`);
  console.log(`[reliability] ${suite}: ${parts.join(' ')}`);
}

/** POSTs a GraphQL body and returns status, parsed body and elapsed ms (no client library in between). */
export async function postGraphql(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: GraphqlBody; ms: number; headers: Headers }> {
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: GraphqlBody;
  try {
    json = JSON.parse(text) as GraphqlBody;
  } catch {
    json = { errors: [{ message: text, extensions: { code: 'NOT_JSON' } }] };
  }
  return { status: res.status, json, ms: performance.now() - started, headers: res.headers };
}

export type GraphqlBody = {
  data?: unknown;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
};

export function firstCode(body: GraphqlBody): string | undefined {
  const code = body.errors?.[0]?.extensions?.['code'];
  return typeof code === 'string' ? code : undefined;
}
