import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type Stack, startStack } from '../../helpers/startStack.js';

/** A client that is not admin: persisted operations are enforced on it and introspection is off. */
const READER = { id: 'reader', key: 'reader-key', corps: ['*'], scopes: ['corp:read' as const] };
const INTROSPECTION = '{ __schema { queryType { name } } }';

/**
 * GraphQL-over-HTTP for every kind of rejected operation, one rule: a request error (the
 * operation never ran: unparsable, invalid, bad variables, over a limit) is 400 when the client
 * accepts `application/graphql-response+json`, and 200 under legacy `application/json` — with an
 * `extensions.code` either way. A request that is not well-formed (a broken multipart body) is 400
 * under both, with a code too.
 */
describe('request errors: status codes and codes', () => {
  let stack: Stack;
  let corpId: string;
  beforeAll(async () => {
    // Upstream mode: introspection is off for clients that are not admin. Persisted operations are
    // enforced on them (admin clients may send any document, so the other cases run as admin); the
    // introspection query is listed, so the reader's reaches validation.
    const persisted = join(tmpdir(), `persisted-request-errors-${process.pid}-${Date.now()}.json`);
    writeFileSync(persisted, JSON.stringify([INTROSPECTION]));
    stack = await startStack({
      clients: [READER],
      env: {
        GRAPHQL_MAX_DEPTH: '6',
        GRAPHQL_MAX_ALIASES: '3',
        GRAPHQL_MAX_COST: '500',
        PERSISTED_OPERATIONS: 'enforce',
        PERSISTED_OPERATIONS_FILE: persisted,
      },
    });
    corpId = stack.corps[0]!.corpId;
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const cases: { kind: string; code: string; key?: string; body: () => Record<string, unknown> }[] = [
    { kind: 'parse error', code: 'GRAPHQL_PARSE_FAILED', body: () => ({ query: '{ corps(' }) },
    { kind: 'validation error', code: 'GRAPHQL_VALIDATION_FAILED', body: () => ({ query: '{ nope }' }) },
    {
      kind: 'bad enum in variables',
      code: 'BAD_USER_INPUT',
      body: () => ({
        query:
          'query($c: String!, $s: ReplyAlertStatusFilter) { corp(corpId: $c) { replyAlerts(status: $s) { edges { cursor } } } }',
        variables: { c: corpId, s: 'SOMETIMES' },
      }),
    },
    {
      kind: 'missing required variable',
      code: 'BAD_USER_INPUT',
      body: () => ({ query: 'query($c: String!) { corp(corpId: $c) { corpId } }', variables: {} }),
    },
    {
      kind: 'depth over the limit',
      code: 'QUERY_TOO_COMPLEX',
      body: () => ({
        query: `{ corps(first: 1) { edges { node { messages(first: 1) { edges { node { chat { messages(first: 1) { edges { cursor } } } } } } } } } }`,
      }),
    },
    {
      kind: 'aliases over the limit',
      code: 'QUERY_TOO_COMPLEX',
      body: () => ({ query: '{ a: viewer { id } b: viewer { id } c: viewer { id } d: viewer { id } }' }),
    },
    {
      kind: 'cost over the limit',
      code: 'QUERY_TOO_COMPLEX',
      body: () => ({
        query:
          '{ corps(first: 100) { edges { node { authorizedUsers(first: 100) { edges { cursor } } } } } }',
      }),
    },
    {
      kind: 'unknown operationName',
      code: 'OPERATION_RESOLUTION_FAILURE',
      body: () => ({ query: 'query A { viewer { id } } query B { viewer { id } }', operationName: 'C' }),
    },
    {
      kind: 'persisted digest not on the list',
      code: 'PERSISTED_QUERY_NOT_FOUND',
      key: READER.key,
      body: () => ({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }),
    },
    {
      kind: 'document not on the persisted list',
      code: 'PERSISTED_QUERY_ONLY',
      key: READER.key,
      body: () => ({ query: '{ viewer { id } }' }),
    },
    {
      kind: 'introspection for a client that is not admin',
      code: 'INTROSPECTION_DISABLED',
      key: READER.key,
      body: () => ({ query: INTROSPECTION }),
    },
  ];

  for (const c of cases) {
    it(`${c.kind}: 400 with application/graphql-response+json, 200 with application/json, code ${c.code}`, async () => {
      for (const [accept, status] of [
        ['application/graphql-response+json', 400],
        ['application/json', 200],
      ] as const) {
        const res = await fetch(stack.graphqlUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept,
            authorization: `Bearer ${c.key ?? ADMIN_KEY}`,
          },
          body: JSON.stringify(c.body()),
        });
        const body = (await res.json()) as {
          data?: unknown;
          errors: { message: string; extensions?: { code?: string } }[];
        };
        expect({ accept, status: res.status }).toEqual({ accept, status });
        expect(body.data).toBeUndefined();
        expect(body.errors.length).toBeGreaterThan(0);
        for (const e of body.errors)
          expect({ message: e.message, code: e.extensions?.code }).toEqual({
            message: e.message,
            code: c.code,
          });
      }
    });
  }

  it('names the bad enum value and where it was', async () => {
    const res = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify(cases[2]!.body()),
    });
    const body = (await res.json()) as { errors: { message: string }[] };
    expect(body.errors[0]!.message).toContain('"SOMETIMES"');
    expect(body.errors[0]!.message).toContain('$s');
  });

  it('a malformed multipart request: 400 under either media type, code BAD_REQUEST', async () => {
    const noOperations = new FormData();
    noOperations.append('map', '{}');
    const badOperations = new FormData();
    badOperations.append('operations', '{not json');
    badOperations.append('map', '{}');
    for (const [body, says] of [
      [noOperations, 'Missing multipart form field "operations"'],
      [badOperations, 'Multipart form field "operations" must be a valid JSON string'],
    ] as const) {
      for (const accept of ['application/graphql-response+json', 'application/json']) {
        const res = await fetch(stack.graphqlUrl, {
          method: 'POST',
          // Multipart is a form a browser may send cross-site: the CSRF header is what lets it in.
          headers: { accept, authorization: `Bearer ${ADMIN_KEY}`, 'x-graphql-csrf': '1' },
          body,
        });
        expect({ accept, status: res.status }).toEqual({ accept, status: 400 });
        expect(await res.json()).toEqual({
          errors: [{ message: says, extensions: { code: 'BAD_REQUEST' } }],
        });
      }
    }
  });
});
