import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, createClient, type SubscribePayload } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { metricValue } from '../helpers/metricValue.js';
import { ADMIN_KEY, type Stack, startStack } from '../helpers/startStack.js';
import { firstCode, type GraphqlBody, postGraphql, reportFigures } from './figures.js';

const READER = { id: 'reader', key: 'reader-key', corps: ['*'], scopes: ['corp:read' as const] };
const WS_READER = { ...READER, id: 'ws-reader', key: 'ws-reader-key' };
const auth = (key = ADMIN_KEY) => ({ authorization: `Bearer ${key}` });

function wsClient(graphqlUrl: string, key: string | null): Client {
  return createClient({
    url: graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    retryAttempts: 0,
  });
}

/** The code of the first error an operation ended with: its `error` message, else its first `next`'s. */
function wsCode(outcome: { results: GraphqlBody[]; error: unknown }): string | undefined {
  const errors = outcome.error as { extensions?: { code?: string } }[] | null;
  if (errors) return errors[0]?.extensions?.code;
  return outcome.results[0] ? firstCode(outcome.results[0]) : undefined;
}

/** One operation over graphql-ws: its `next` payloads, and how it ended (`complete` or `error`). */
function wsOnce(
  client: Client,
  payload: SubscribePayload,
): Promise<{ results: GraphqlBody[]; error: unknown }> {
  return new Promise((resolve) => {
    const results: GraphqlBody[] = [];
    client.subscribe(payload, {
      next: (result) => results.push(result as GraphqlBody),
      error: (error) => resolve({ results, error }),
      complete: () => resolve({ results, error: null }),
    });
  });
}

describe('GraphQL abuse is rejected fast, with codes', () => {
  let stack: Stack;
  const figures = { requests: 0, rejected: 0, slowestRejectionMs: 0 };
  beforeAll(async () => {
    stack = await startStack({ clients: [READER], env: { GRAPHQL_MAX_BODY_BYTES: '1048576' } });
  });
  afterAll(async () => {
    reportFigures('graphql abuse', figures);
    await stack?.stop();
  });

  async function rejected(body: unknown, expected: string, headers = auth()) {
    figures.requests++;
    const res = await postGraphql(stack.graphqlUrl, body, headers);
    expect(firstCode(res.json), JSON.stringify(res.json).slice(0, 300)).toBe(expected);
    expect(res.json.data ?? null).toBeNull();
    figures.rejected++;
    figures.slowestRejectionMs = Math.max(figures.slowestRejectionMs, Math.round(res.ms));
    return res;
  }

  /** A rejected operation's status under each media type (test/integration/plugins/requestErrors.test.ts). */
  const SPEC_STATUSES = { 'application/graphql-response+json': 400, 'application/json': 200 };
  async function specStatuses(body: unknown): Promise<Record<string, number>> {
    const statuses: Record<string, number> = {};
    for (const accept of Object.keys(SPEC_STATUSES)) {
      figures.requests++;
      const res = await postGraphql(stack.graphqlUrl, body, { ...auth(), accept });
      expect(firstCode(res.json)).toBe('QUERY_TOO_COMPLEX');
      statuses[accept] = res.status;
      figures.rejected++;
    }
    return statuses;
  }

  it('a depth bomb → QUERY_TOO_COMPLEX naming the limit', async () => {
    let inner = 'id';
    for (let i = 0; i < 20; i++) inner = `corp(corpId: "x") { chat(id: "c") { corp { ${inner} } } }`;
    const res = await rejected({ query: `{ ${inner} }` }, 'QUERY_TOO_COMPLEX');
    expect(res.json.errors![0]!.extensions).toMatchObject({ limit: 'depth', max: 12 });
  });

  it('an alias flood → QUERY_TOO_COMPLEX', async () => {
    const aliases = Array.from({ length: 200 }, (_, i) => `a${i}: viewer { id }`).join(' ');
    const res = await rejected({ query: `{ ${aliases} }` }, 'QUERY_TOO_COMPLEX');
    expect(res.json.errors![0]!.extensions).toMatchObject({ limit: 'aliases', max: 30, found: 200 });
  });

  it('a token flood → QUERY_TOO_COMPLEX from the parser, with the spec status', async () => {
    const fields = Array.from({ length: 4000 }, () => '__typename').join(' ');
    const res = await rejected({ query: `{ ${fields} }` }, 'QUERY_TOO_COMPLEX');
    expect(res.json.errors![0]!.extensions).toMatchObject({ limit: 'tokens' });
    expect(await specStatuses({ query: `{ ${fields} }` })).toEqual(SPEC_STATUSES);
  });

  it('a directive flood → QUERY_TOO_COMPLEX, with the spec status', async () => {
    const directives = Array.from({ length: 50 }, () => '@include(if: true)').join(' ');
    const res = await rejected({ query: `{ viewer ${directives} { id } }` }, 'QUERY_TOO_COMPLEX');
    expect(res.json.errors![0]!.extensions).toMatchObject({ limit: 'directives', max: 20, found: 50 });
    expect(await specStatuses({ query: `{ viewer ${directives} { id } }` })).toEqual(SPEC_STATUSES);
  });

  it('nested pages whose product is huge → QUERY_TOO_COMPLEX (cost), before any upstream call', async () => {
    await stack.simPost('/__sim/stats/reset');
    const query = `{ corps(first: 100) { edges { node { searchChats(query: "ab", first: 100) {
      edges { node { messages(first: 100) { edges { node { id } } } } } } } } } }`;
    const res = await rejected({ query }, 'QUERY_TOO_COMPLEX');
    expect(res.json.errors![0]!.extensions).toMatchObject({ limit: 'cost', max: 5000 });
    const { calls } = await stack.simGet<{ calls: Record<string, number> }>('/__sim/stats');
    expect(Object.values(calls).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('huge list variables count in the cost → QUERY_TOO_COMPLEX', async () => {
    const pairs = Array.from({ length: 6000 }, (_, i) => ({ employeeId: `e${i}`, externalUserId: `x${i}` }));
    const query =
      'query($c: String!, $p: [ConsentPairInput!]!) { corp(corpId: $c) { consents(pairs: $p) { status } } }';
    await rejected({ query, variables: { c: stack.corps[0]!.corpId, p: pairs } }, 'QUERY_TOO_COMPLEX');
  });

  it('an oversized body → 413 REQUEST_TOO_LARGE before it is read; chunked → 411', async () => {
    const big = JSON.stringify({ query: '{ viewer { id } }', variables: { pad: 'x'.repeat(2_000_000) } });
    const res = await rejected(big, 'REQUEST_TOO_LARGE');
    expect(res.status).toBe(413);
    figures.requests++;
    const chunked = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth() },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(411);
    figures.rejected++;
  });

  it('CSRF: a GET or form POST without x-graphql-csrf → 403 CSRF_HEADER_REQUIRED; JSON and GraphiQL still work', async () => {
    figures.requests += 3;
    const get = await fetch(`${stack.graphqlUrl}?query=${encodeURIComponent('{ viewer { id } }')}`, {
      headers: auth(),
    });
    expect(get.status).toBe(403);
    expect(firstCode((await get.json()) as never)).toBe('CSRF_HEADER_REQUIRED');
    const form = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth() },
      body: `query=${encodeURIComponent('{ viewer { id } }')}`,
    });
    expect(form.status).toBe(403);
    figures.rejected += 2;
    const withHeader = await fetch(`${stack.graphqlUrl}?query=${encodeURIComponent('{ viewer { id } }')}`, {
      headers: { ...auth(), 'x-graphql-csrf': '1' },
    });
    expect(await withHeader.json()).toEqual({ data: { viewer: { id: 'admin' } } });
    const page = await fetch(stack.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('GraphiQL');
  });

  it('introspection is off in upstream mode for clients, on for admin clients', async () => {
    const query = '{ __schema { queryType { name } } }';
    await rejected({ query }, 'INTROSPECTION_DISABLED', auth(READER.key));
    const admin = await postGraphql(stack.graphqlUrl, { query }, auth());
    expect(admin.json).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it("the same limits apply over graphql-ws: refused before execution, that operation's `error` message", async () => {
    const client = wsClient(stack.graphqlUrl, ADMIN_KEY);
    try {
      const aliases = Array.from({ length: 100 }, (_, i) => `a${i}: viewer { id }`).join(' ');
      const refused = await wsOnce(client, { query: `{ ${aliases} }` });
      figures.requests++;
      expect(refused.results).toEqual([]);
      const errors = refused.error as { message: string; extensions: Record<string, unknown> }[];
      expect(errors[0]!.extensions).toEqual({
        code: 'QUERY_TOO_COMPLEX',
        limit: 'aliases',
        max: 30,
        found: 100,
      });
      figures.rejected++;
      const ok = await wsOnce(client, { query: '{ viewer { id } }' });
      expect(ok).toEqual({ results: [{ data: { viewer: { id: 'admin' } } }], error: null });
    } finally {
      await client.dispose();
    }
  });

  it('/metrics counts the rejections by protection', async () => {
    const text = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    expect(text).toMatch(/wag_graphql_rejections_total\{protection="aliases"\} [1-9]/);
    expect(text).toMatch(/wag_graphql_rejections_total\{protection="cost"\} [1-9]/);
    expect(text).toMatch(
      /wag_graphql_requests_total\{operation="anonymous",transport="http",outcome="QUERY_TOO_COMPLEX"\}/,
    );
  });
});

describe('rate limits and persisted operations', () => {
  let stack: Stack;
  const listed = 'query Viewer { viewer { id } }';
  const hash = createHash('sha256').update(listed).digest('hex');
  beforeAll(async () => {
    const file = join(tmpdir(), `persisted-${process.pid}-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify([listed]));
    stack = await startStack({
      clients: [READER, WS_READER],
      env: {
        RATE_LIMIT_MAX: '5',
        RATE_LIMIT_WINDOW_S: '3600',
        PERSISTED_OPERATIONS: 'enforce',
        PERSISTED_OPERATIONS_FILE: file,
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('enforce: a listed digest runs, an unknown digest is PERSISTED_QUERY_NOT_FOUND, other text PERSISTED_QUERY_ONLY', async () => {
    const byHash = await postGraphql(
      stack.graphqlUrl,
      { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } },
      auth(READER.key),
    );
    expect(byHash.json).toEqual({ data: { viewer: { id: 'reader' } } });
    const byText = await postGraphql(stack.graphqlUrl, { query: listed }, auth(READER.key));
    expect(byText.json).toEqual({ data: { viewer: { id: 'reader' } } });
    const unknown = await postGraphql(
      stack.graphqlUrl,
      { extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } },
      auth(READER.key),
    );
    expect(firstCode(unknown.json)).toBe('PERSISTED_QUERY_NOT_FOUND');
    const other = await postGraphql(stack.graphqlUrl, { query: '{ viewer { scopes } }' }, auth(READER.key));
    expect(firstCode(other.json)).toBe('PERSISTED_QUERY_ONLY');
    // Admin clients (GraphiQL) may still send any document.
    const admin = await postGraphql(stack.graphqlUrl, { query: '{ viewer { scopes } }' }, auth());
    expect(admin.json.errors).toBeUndefined();
  });

  it('past 5 operations in the window the reader gets RATE_LIMITED, HTTP 429, Retry-After; other clients unaffected', async () => {
    const results = [];
    for (let i = 0; i < 6; i++)
      results.push(await postGraphql(stack.graphqlUrl, { query: listed }, auth(READER.key)));
    // The first test ran 2 operations for this client: 3 more pass, then the limit holds.
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 429, 429, 429]);
    const res = results[5]!;
    expect(firstCode(res.json)).toBe('RATE_LIMITED');
    const retryAfter = Number(res.json.errors![0]!.extensions!['retryAfterSeconds']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(res.headers.get('retry-after')).toBe(String(retryAfter));
    const admin = await postGraphql(stack.graphqlUrl, { query: listed }, auth());
    expect(admin.json).toEqual({ data: { viewer: { id: 'admin' } } });
  });

  it('graphql-ws runs through the same pipeline: persisted operations, auth, rate limit, and their metrics', async () => {
    const requests = (operation: string, outcome: string) =>
      metricValue(
        stack.gatewayUrl,
        `wag_graphql_requests_total{operation="${operation}",transport="ws",outcome="${outcome}"}`,
      );
    const persistedRejections = () =>
      metricValue(stack.gatewayUrl, 'wag_graphql_rejections_total{protection="persisted"}');
    const rejectedBefore = await persistedRejections();
    const client = wsClient(stack.graphqlUrl, WS_READER.key);
    const anonymous = wsClient(stack.graphqlUrl, null);
    const digest = (sha256Hash: string) => ({
      query: '',
      extensions: { persistedQuery: { version: 1, sha256Hash } },
    });
    try {
      // graphql-ws needs a query string: an empty one with the digest, as Apollo's link sends it.
      const byHash = await wsOnce(client, digest(hash));
      expect(byHash).toEqual({ results: [{ data: { viewer: { id: 'ws-reader' } } }], error: null });
      // Refused before execution: graphql-ws' `error` message, no `next`.
      const unknown = await wsOnce(client, digest('f'.repeat(64)));
      expect([unknown.results, wsCode(unknown)]).toEqual([[], 'PERSISTED_QUERY_NOT_FOUND']);
      const other = await wsOnce(client, { query: '{ viewer { scopes } }' });
      expect([other.results, wsCode(other)]).toEqual([[], 'PERSISTED_QUERY_ONLY']);
      const denied = await wsOnce(anonymous, { query: listed });
      expect([denied.results, wsCode(denied)]).toEqual([[], 'UNAUTHENTICATED']);
      // One operation of the window ran (refusals never reach execution): 4 more pass, then 429's code.
      const codes = [];
      for (let i = 0; i < 5; i++) codes.push(wsCode(await wsOnce(client, { query: listed })));
      expect(codes).toEqual([undefined, undefined, undefined, undefined, 'RATE_LIMITED']);
    } finally {
      await Promise.all([client.dispose(), anonymous.dispose()]);
    }
    // Counted as over HTTP, by outcome, on transport ws (graphql-ws used to be counted `ok` once
    // parsed, whatever auth or the rate limit said after, and never as a rejection).
    expect(await persistedRejections()).toBe(rejectedBefore + 2);
    expect(await requests('anonymous', 'ok')).toBe(1);
    expect(await requests('Viewer', 'ok')).toBe(4);
    expect(await requests('Viewer', 'UNAUTHENTICATED')).toBe(1);
    expect(await requests('Viewer', 'RATE_LIMITED')).toBe(1);
    expect(await requests('anonymous', 'PERSISTED_QUERY_ONLY')).toBe(1);
  });
});
