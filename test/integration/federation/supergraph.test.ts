import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime, type GatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRM_TYPE_DEFS, type CrmSubgraph, startCrmSubgraph } from '../../helpers/crmSubgraph.js';
import { ADMIN_KEY, type Stack, startStack } from '../../helpers/startStack.js';

const CRM_KEY = 'crm-one-corp-key';
type Result = {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: unknown[]; extensions?: { code?: string } }[];
};

/**
 * The gateway with GRAPHQL_FEDERATION=on, composed (@theguild/federation-composition) with a
 * tiny CRM subgraph that adds fields to Corp, behind a real Hive Gateway runtime from npm:
 * queries cross both subgraphs, and `_entities` enforces the same corp rules as every path.
 */
describe('federation subgraph in a supergraph', () => {
  let stack: Stack;
  let crm: CrmSubgraph;
  let runtime: GatewayRuntime;
  let server: Server;
  let supergraphUrl: string;
  let corpA: string;
  let corpB: string;

  const post = async (
    url: string,
    key: string | null,
    query: string,
    variables: Record<string, unknown> = {},
  ) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as Result;
  };

  beforeAll(async () => {
    stack = await startStack({
      env: { GRAPHQL_FEDERATION: 'on' },
      sim: { backlogPerCorp: 20 },
      indexLookup: true,
      clients: (ids) => [{ id: 'crm', key: CRM_KEY, corps: [ids[0]!], scopes: ['corp:read'] }],
    });
    corpA = stack.corps[0]!.corpId;
    corpB = stack.corps[1]!.corpId;
    crm = await startCrmSubgraph([corpA, corpB]);
    const service = await post(stack.graphqlUrl, ADMIN_KEY, '{ _service { sdl } }');
    const sdl = (service.data?.['_service'] as { sdl: string } | undefined)?.sdl ?? '';
    const composed = composeServices([
      { name: 'wecom', typeDefs: parse(sdl), url: stack.graphqlUrl },
      { name: 'crm', typeDefs: parse(CRM_TYPE_DEFS), url: crm.url },
    ]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
    runtime = createGatewayRuntime({
      supergraph: composed.supergraphSdl,
      logging: false,
      // The supergraph passes each client's own key on, so the archive gateway decides access.
      propagateHeaders: {
        fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
      },
    });
    server = createServer(runtime);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    supergraphUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  }, 60_000);

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await runtime?.dispose();
    await crm?.close();
    await stack?.stop();
  });

  it('serves _service.sdl with @key entities and without subscriptions', async () => {
    const { data } = await post(stack.graphqlUrl, ADMIN_KEY, '{ _service { sdl } }');
    const sdl = (data?.['_service'] as { sdl: string } | undefined)?.sdl ?? '';
    for (const [type, key] of [
      ['Corp', 'corpId'],
      ['Chat', 'id'],
      ['Message', 'id'],
      ['KeywordRule', 'id'],
    ]) {
      expect(sdl).toMatch(new RegExp(`type ${type} [^{]*@key\\(fields: "${key}"`));
    }
    expect(sdl).not.toMatch(/type Subscription\b/);
  });

  it('answers a query that starts in this graph and adds the CRM fields', async () => {
    const result = await post(
      supergraphUrl,
      ADMIN_KEY,
      'query ($c: String!) { corp(corpId: $c) { corpId name account { owner tier } } }',
      { c: corpA },
    );
    expect(result.errors).toBeUndefined();
    const expectedName = stack.corps[0]!.name;
    expect(result.data).toEqual({
      corp: { corpId: corpA, name: expectedName, account: { owner: `owner-of-${corpA}`, tier: 'gold' } },
    });
  });

  it('answers a query that starts in the CRM and resolves Corps through _entities', async () => {
    const result = await post(
      supergraphUrl,
      ADMIN_KEY,
      '{ topAccounts { corpId name authorization { status } account { tier } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      topAccounts: [
        {
          corpId: corpA,
          name: stack.corps[0]!.name,
          authorization: { status: 'ACTIVE' },
          account: { tier: 'gold' },
        },
        {
          corpId: corpB,
          name: stack.corps[1]!.name,
          authorization: { status: 'ACTIVE' },
          account: { tier: 'silver' },
        },
      ],
    });
  });

  it('applies the corp rules to _entities: a one-corp client gets FORBIDDEN for the other corp', async () => {
    const result = await post(supergraphUrl, CRM_KEY, '{ topAccounts { corpId name } }');
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    // The permitted corp comes through with the name only this graph knows; the other never does.
    expect(JSON.stringify(result)).toContain(stack.corps[0]!.name);
    expect(JSON.stringify(result)).not.toContain(stack.corps[1]!.name);

    // Straight at the subgraph, the way a router calls it, for every entity type.
    const ofB = await post(
      stack.graphqlUrl,
      ADMIN_KEY,
      'query ($c: String!) { corp(corpId: $c) { messages(first: 1) { edges { node { id chat { id } } } } } }',
      { c: corpB },
    );
    const corpOfB = ofB.data?.['corp'] as
      | { messages: { edges: { node: { id: string; chat: { id: string } } }[] } }
      | undefined;
    if (!corpOfB) throw new Error(`no messages of corp B: ${JSON.stringify(ofB)}`);
    const edge = corpOfB.messages.edges[0]!.node;
    const direct = await post(
      stack.graphqlUrl,
      CRM_KEY,
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Corp { name } ... on Chat { id } ... on Message { id } } }`,
      {
        r: [
          { __typename: 'Corp', corpId: corpA },
          { __typename: 'Corp', corpId: corpB },
          { __typename: 'Chat', id: edge.chat.id },
          { __typename: 'Message', id: edge.id },
        ],
      },
    );
    expect(direct.data?.['_entities']).toEqual([{ name: stack.corps[0]!.name }, null, null, null]);
    // Errors come in completion order; the paths say which representation each one is for.
    expect(
      direct.errors
        ?.map((e) => [e.path, e.extensions?.code])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      [['_entities', 1], 'FORBIDDEN'],
      [['_entities', 2], 'FORBIDDEN'],
      [['_entities', 3], 'FORBIDDEN'],
    ]);
    // The admin client reaches the same entities by the same keys.
    const admin = await post(
      stack.graphqlUrl,
      ADMIN_KEY,
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Chat { id } ... on Message { id } } }`,
      {
        r: [
          { __typename: 'Chat', id: edge.chat.id },
          { __typename: 'Message', id: edge.id },
        ],
      },
    );
    expect(admin).toEqual({ data: { _entities: [{ id: edge.chat.id }, { id: edge.id }] } });
    const anonymous = await post(stack.graphqlUrl, null, '{ _entities(representations: []) { __typename } }');
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
