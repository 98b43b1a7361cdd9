import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime, type GatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRM_TYPE_DEFS, type CrmSubgraph, startCrmSubgraph } from '../../helpers/crmSubgraph.js';
import { type Collected, sseSubscribe, wsSubscribe } from '../../helpers/liveClients.js';
import { ADMIN_KEY, type Stack, startStack } from '../../helpers/startStack.js';

const CRM_KEY = 'crm-one-corp-key';
type Result = {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: unknown[]; extensions?: { code?: string } }[];
};
type MessageAdded = { messageAdded: { message: { msgid: string } } };
const MESSAGE_ADDED = /* GraphQL */ `
  subscription ($c: String!, $after: String) { messageAdded(corpId: $c, after: $after) { message { msgid } } }
`;

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
  /** One keyword rule per corp, created through this graph before the tests. */
  let ruleA: string;
  let ruleB: string;
  const live: Collected<MessageAdded>[] = [];

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
    const rules = await Promise.all(
      [corpA, corpB].map(async (c) => {
        const created = await post(
          stack.graphqlUrl,
          ADMIN_KEY,
          'mutation ($c: String!) { createKeywordRule(corpId: $c, input: { name: "fed", keywords: ["fed"] }) { id } }',
          { c },
        );
        const id = (created.data?.['createKeywordRule'] as { id: string } | undefined)?.id;
        if (!id) throw new Error(`createKeywordRule failed: ${JSON.stringify(created)}`);
        return id;
      }),
    );
    ruleA = rules[0]!;
    ruleB = rules[1]!;
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
    await Promise.all(live.map((s) => s.stop()));
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
      `query ($r: [_Any!]!) { _entities(representations: $r) {
        ... on Corp { name } ... on Chat { id } ... on Message { id } ... on KeywordRule { id rule: name } } }`,
      {
        r: [
          { __typename: 'Corp', corpId: corpA },
          { __typename: 'Corp', corpId: corpB },
          { __typename: 'Chat', id: edge.chat.id },
          { __typename: 'Message', id: edge.id },
          { __typename: 'KeywordRule', id: ruleB },
          { __typename: 'KeywordRule', id: ruleA },
        ],
      },
    );
    expect(direct.data?.['_entities']).toEqual([
      { name: stack.corps[0]!.name },
      null,
      null,
      null,
      null,
      { id: ruleA, rule: 'fed' },
    ]);
    // Errors come in completion order; the paths say which representation each one is for.
    expect(
      direct.errors
        ?.map((e) => [e.path, e.extensions?.code])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      [['_entities', 1], 'FORBIDDEN'],
      [['_entities', 2], 'FORBIDDEN'],
      [['_entities', 3], 'FORBIDDEN'],
      [['_entities', 4], 'FORBIDDEN'],
    ]);
    // The admin client reaches the same entities by the same keys.
    const admin = await post(
      stack.graphqlUrl,
      ADMIN_KEY,
      `query ($r: [_Any!]!) { _entities(representations: $r) {
        ... on Chat { id } ... on Message { id } ... on KeywordRule { id name } } }`,
      {
        r: [
          { __typename: 'Chat', id: edge.chat.id },
          { __typename: 'Message', id: edge.id },
          { __typename: 'KeywordRule', id: ruleB },
        ],
      },
    );
    expect(admin).toEqual({
      data: { _entities: [{ id: edge.chat.id }, { id: edge.id }, { id: ruleB, name: 'fed' }] },
    });
    const anonymous = await post(stack.graphqlUrl, null, '{ _entities(representations: []) { __typename } }');
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('keeps subscriptions on its own endpoint: graphql-ws and SSE receive messageAdded', async () => {
    // The newest cursor as `after`: whatever arrives before the subscription is live is replayed.
    const newest = await post(
      stack.graphqlUrl,
      ADMIN_KEY,
      'query ($c: String!) { corp(corpId: $c) { messages(first: 1, filter: { newestFirst: true }) { pageInfo { endCursor } } } }',
      { c: corpA },
    );
    const after = (newest.data?.['corp'] as { messages: { pageInfo: { endCursor: string } } } | undefined)
      ?.messages.pageInfo.endCursor;
    if (!after) throw new Error(`no newest cursor: ${JSON.stringify(newest)}`);
    const ws = wsSubscribe<MessageAdded>(stack.graphqlUrl, ADMIN_KEY, MESSAGE_ADDED, { c: corpA, after });
    const sse = sseSubscribe<MessageAdded>(stack.graphqlUrl, ADMIN_KEY, MESSAGE_ADDED, { c: corpA, after });
    live.push(ws, sse);
    const sent = await stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId: corpA, count: 2 });
    for (const sub of [ws, sse]) {
      const events = await sub.waitForCount(2);
      expect(events.map((e) => e.messageAdded.message.msgid)).toEqual(sent.msgids);
    }
  });
});
