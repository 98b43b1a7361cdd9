import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type Stack, startStack } from '../../helpers/startStack.js';

/**
 * GraphQL-over-HTTP for every kind of rejected operation, one rule: a request error (the
 * operation never ran: unparsable, invalid, bad variables, over a limit) is 400 when the client
 * accepts `application/graphql-response+json`, and 200 under legacy `application/json` — with an
 * `extensions.code` either way.
 */
describe('request errors: status codes and codes', () => {
  let stack: Stack;
  let corpId: string;
  beforeAll(async () => {
    stack = await startStack({
      env: { GRAPHQL_MAX_DEPTH: '6', GRAPHQL_MAX_ALIASES: '3', GRAPHQL_MAX_COST: '500' },
    });
    corpId = stack.corps[0]!.corpId;
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const cases: { kind: string; code: string; body: () => Record<string, unknown> }[] = [
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
  ];

  for (const c of cases) {
    it(`${c.kind}: 400 with application/graphql-response+json, 200 with application/json, code ${c.code}`, async () => {
      for (const [accept, status] of [
        ['application/graphql-response+json', 400],
        ['application/json', 200],
      ] as const) {
        const res = await fetch(stack.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${ADMIN_KEY}` },
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
});
