import { getIntrospectionQuery, parse } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../src/auth/authenticate.js';
import { createGatewayYoga, type GatewayYoga } from '../../../src/createGatewayYoga.js';
import type { IndexedMessage } from '../../../src/datasources/store/MessageIndex.js';
import { MemorySyncStateTable } from '../../../src/datasources/store/memory/MemorySyncStateTable.js';
import type { CorpRecord } from '../../../src/datasources/store/ports.js';
import { WecomError } from '../../../src/datasources/wecom/WecomError.js';
import { silentLogger } from '../../../src/logging/Logger.js';
import { asInterpreterError, useJitExecution } from '../../../src/plugins/useJitExecution.js';
import type { Context, IngestView } from '../../../src/resolvers/context.js';
import { encodeGlobalId } from '../../../src/resolvers/globalId.js';

/**
 * The compiled executor must answer exactly as yoga's: every operation below runs through a
 * gateway with JIT off and one that compiles on first sight, and the responses (status and body,
 * errors with their messages, codes, paths and locations) must be identical.
 */

const CORP = 'wwA';
const OTHER = 'wwB';
const corp = (corpId: string): CorpRecord => ({
  corpId,
  name: `corp ${corpId}`,
  status: 'ACTIVE',
  authorizedAt: 1_700_000_000_000,
  cancelledAt: null,
  publicKeyVersion: 1,
});

function message(i: number, overrides: Partial<IndexedMessage> = {}): IndexedMessage {
  return {
    corpId: CORP,
    msgid: `m${i}`,
    seq: 100 - i,
    sender: { type: 1 + (i % 2), id: `u${i}` },
    receivers: Array.from({ length: 1 + (i % 3) }, (_, r) => ({ type: 1 + (r % 2), id: `r${i}-${r}` })),
    chatId: i % 2 ? `wrG${i}` : null,
    sendTime: 1_700_000_000 + i * 60,
    msgtype: i % 30,
    encryptedSecretKey: 'k',
    publicKeyVersion: 1,
    ...overrides,
  };
}

type Scenario = { messages: IndexedMessage[] };

function gateway(scenario: Scenario, jit: boolean): GatewayYoga {
  const chatdata = async (corpId: string, api: string, body: Record<string, unknown>): Promise<unknown> => {
    if (api === 'get_corp_auth_info') {
      return { auth_edition_list: [{ edition: 1, status: 1, end_time: 1_800_000_000, auth_user_count: 3 }] };
    }
    if (api === 'search_chat') {
      return {
        chat_list: [
          { chatid: 'wrG1' },
          { chatid: 'wrCustomer' },
          { chatid: 'wrFail' },
          { chatid: 'wrFail2' },
        ],
        next_cursor: '',
        has_more: false,
      };
    }
    if (api === 'groupchat/get') {
      if (body['chatid'] === 'wrCustomer') {
        throw new WecomError('not internal', {
          code: 'UPSTREAM_ERROR',
          path: '/cgi-bin/chatdata/groupchat/get',
          errcode: 301059,
          httpStatus: 200,
          retryable: false,
          hint: null,
        });
      }
      return {
        creator: 'u1',
        room_create_time: 1_700_000_000,
        members: [{ type: 1, memberid: 'u1', jointime: 1_700_000_001 }],
      };
    }
    if (api === 'getagreestatus/single') {
      const item = body['item'] as { open_userid: string; external_userid: string }[];
      return {
        agreeinfo: item
          .filter((p) => p.external_userid !== 'unknown')
          .map((p) => ({ ...p, agree_status: 'Agree', status_change_time: 1_700_000_000 })),
      };
    }
    if (api === 'getagreestatus/room') {
      if (String(body['chatid']).startsWith('wrFail')) {
        throw new WecomError('system busy', {
          code: 'UPSTREAM_ERROR',
          path: '/cgi-bin/chatdata/getagreestatus/room',
          errcode: -1,
          httpStatus: 200,
          retryable: true,
          hint: 'h1',
        });
      }
      return { agreeinfo: [{ external_userid: 'x1', agree_status: 'Agree', status_change_time: 1 }] };
    }
    throw new Error(`unexpected upstream call ${api} for ${corpId}`);
  };
  const index = {
    query: async (q: { first: number }) => ({
      items: scenario.messages.slice(0, q.first),
      hasMore: scenario.messages.length > q.first,
      endSeq: scenario.messages.at(Math.min(q.first, scenario.messages.length) - 1)?.seq ?? null,
    }),
    count: async () => scenario.messages.length,
  };
  const ingest = {
    index,
    syncState: new MemorySyncStateTable(),
  } as unknown as IngestView;
  const ds = {
    api: { chatdata },
    corps: {
      list: async () => [corp(CORP), corp(OTHER)],
      get: async (id: string) => (id === CORP || id === OTHER ? corp(id) : null),
    },
    keys: { current: async () => ({ version: 1, publicKeyPem: 'pem', createdAt: 1_700_000_000_000 }) },
    tasks: {},
    jsapi: {},
  } as unknown as Context['ds'];
  return createGatewayYoga({
    authenticate: createAuthenticator([
      { id: 'one', key: 'k-one', corps: [CORP], scopes: ['corp:read'] },
      { id: 'admin', key: 'k-admin', corps: ['*'], scopes: ['corp:read', 'admin'] },
    ]),
    ds,
    features: { specapi: false },
    messages: null,
    ingest,
    logger: silentLogger,
    exposeErrors: false,
    graphiqlKey: null,
    jit: jit ? { compileAfter: 1 } : false,
  });
}

async function ask(
  yoga: GatewayYoga,
  query: string,
  variables: Record<string, unknown> = {},
  key = 'k-one',
  operationName?: string,
): Promise<{ status: number; body: string }> {
  const res = await yoga.fetch('http://gw/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) }),
  });
  return { status: res.status, body: await res.text() };
}

const PAGE = `query Page($corpId: String!, $first: Int, $after: String) {
  corp(corpId: $corpId) {
    messages(first: $first, after: $after, filter: { newestFirst: true }) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id msgid type sentAt sender { type id } receivers { type id } chat { id kind chatId } } }
    }
  }
}`;

const chatId = encodeGlobalId('Chat', `${CORP}|G|wrG1`);
const CASES: {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  key?: string;
  op?: string;
}[] = [
  { name: 'message page', query: PAGE, variables: { corpId: CORP, first: 5 } },
  { name: 'page, default size', query: PAGE, variables: { corpId: CORP } },
  {
    name: 'overview',
    query: `query { corp(corpId: "${CORP}") { corpId name authorization { status since cancelledAt editions { edition status endAt authUserCount } } publicKey { version createdAt } syncState { indexedMessages lagSeconds lastSyncOkAt newestMessageAt lastError { code } } } }`,
  },
  {
    name: 'nested chats with a customer group and an upstream failure',
    query: `{ corp(corpId: "${CORP}") { searchChats(query: "ab", first: 10) { edges { cursor node { id chatId kind createdAt creator { id } members { id type joinedAt participant { id } } consents { externalUserId status } } } } } }`,
  },
  {
    name: 'nested chats, upstream failures under nullable fields',
    query: `{ corp(corpId: "${CORP}") { searchChats(query: "ab", first: 10) { edges { node { chatId kind consents { externalUserId } } } } } a: corp(corpId: "${CORP}") { name } }`,
  },
  {
    name: 'aliases, fragments, directives, typenames',
    query: `query Q($skip: Boolean!) { a: corp(corpId: "${CORP}") { ...C __typename } b: corp(corpId: "nope") { corpId } } fragment C on Corp { corpId n: name @skip(if: $skip) authorization { ... on CorpAuthorization { status } } }`,
    variables: { skip: true },
  },
  { name: 'node by id', query: `{ node(id: "${chatId}") { __typename id ... on Chat { chatId kind } } }` },
  {
    name: 'node of a corp',
    query: `{ node(id: "${encodeGlobalId('Corp', CORP)}") { __typename id ... on Corp { name } } }`,
  },
  { name: 'forbidden corp', query: `{ corp(corpId: "${OTHER}") { corpId } }` },
  { name: 'forbidden nested', query: PAGE, variables: { corpId: OTHER } },
  { name: 'bad cursor', query: PAGE, variables: { corpId: CORP, after: 'garbage' } },
  { name: 'first out of range', query: PAGE, variables: { corpId: CORP, first: 500 } },
  { name: 'missing variable', query: PAGE, variables: {} },
  { name: 'wrongly typed variable', query: PAGE, variables: { corpId: CORP, first: 'ten' } },
  { name: 'null for a non-null variable', query: PAGE, variables: { corpId: null } },
  {
    name: 'two operations, one named',
    query: `query A { corp(corpId: "${CORP}") { corpId } } query B { corp(corpId: "${CORP}") { name } }`,
    op: 'B',
  },
  {
    name: 'admin sees every corp',
    query: '{ corps(first: 5) { edges { node { corpId } } } }',
    key: 'k-admin',
  },
  { name: 'viewer', query: '{ viewer { clientId scopes corps } }' },
  {
    name: 'input objects, lists, enums and DateTime in variables',
    query: `query F($corpId: String!, $from: DateTime, $type: MessageType, $pairs: [ConsentPairInput!]!) {
      corp(corpId: $corpId) {
        messages(first: 3, filter: { from: $from, type: $type, newestFirst: false }) { edges { node { msgid type sentAt } } }
        consents(pairs: $pairs) { employeeId externalUserId status changedAt }
      }
    }`,
    variables: {
      corpId: CORP,
      from: '2023-11-14T22:13:20Z',
      type: 'TEXT',
      pairs: [
        { employeeId: 'u1', externalUserId: 'x1' },
        { employeeId: 'u1', externalUserId: 'unknown' },
      ],
    },
  },
  {
    name: 'a bad DateTime and a bad enum in variables',
    query:
      'query F($from: DateTime, $type: MessageType) { corp(corpId: "wwA") { messages(filter: { from: $from, type: $type }) { totalCount } } }',
    variables: { from: 'yesterday', type: 'NOPE' },
  },
  { name: 'introspection (admin)', query: getIntrospectionQuery(), key: 'k-admin' },
  { name: 'introspection refused', query: '{ __schema { queryType { name } } }' },
  {
    name: 'type introspection',
    query: '{ __type(name: "Message") { name fields { name type { name kind ofType { name } } } } }',
    key: 'k-admin',
  },
];

describe('compiled execution (graphql-jit) answers as the interpreter', () => {
  const scenario: Scenario = { messages: Array.from({ length: 25 }, (_, i) => message(i)) };
  const interpreted = gateway(scenario, false);
  const compiled = gateway(scenario, true);

  for (const c of CASES) {
    it(c.name, async () => {
      const expected = await ask(interpreted, c.query, c.variables, c.key, c.op);
      // Twice: the first run compiles, the second reuses the compiled query.
      expect(await ask(compiled, c.query, c.variables, c.key, c.op)).toEqual(expected);
      expect(await ask(compiled, c.query, c.variables, c.key, c.op)).toEqual(expected);
    });
  }

  it('errors resolvers and the executor raise: unknown participant type, null for a non-null field, bad DateTime', async () => {
    const broken: Scenario = {
      messages: [
        message(1, { sender: { type: 9, id: 'u9' } }),
        message(2, { msgid: null as unknown as string }),
        message(3, { sendTime: Number.NaN }),
        message(4),
      ],
    };
    const query = `{ corp(corpId: "${CORP}") { messages(first: 4) { edges { node { msgid sentAt sender { type id } } } } } }`;
    const expected = await ask(gateway(broken, false), query);
    expect(expected.body).toContain('INTERNAL_SERVER_ERROR');
    const jit = gateway(broken, true);
    expect(await ask(jit, query)).toEqual(expected);
    expect(await ask(jit, query)).toEqual(expected);
  });
});

describe('when queries are compiled', () => {
  const schema = createSchema({
    typeDefs: 'type Query { hello: String! } type Mutation { bump: Int! }',
    resolvers: { Query: { hello: () => 'world' }, Mutation: { bump: () => 1 } },
  });
  const yogaWith = (compiled: string[]) =>
    createYoga({
      schema,
      logging: false,
      plugins: [useJitExecution({ compileAfter: 2, onCompile: (name) => compiled.push(name ?? '') })],
    });
  const run = async (yoga: ReturnType<typeof yogaWith>, query: string, operationName?: string) => {
    const res = await yoga.fetch('http://x/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, operationName }),
    });
    return res.json();
  };

  it('on the n-th execution of a document and operation, once', async () => {
    const compiled: string[] = [];
    const yoga = yogaWith(compiled);
    const doc = 'query A { hello } query B { hello }';
    expect(await run(yoga, doc, 'A')).toEqual({ data: { hello: 'world' } });
    expect(compiled).toEqual([]);
    await run(yoga, doc, 'A');
    expect(compiled).toEqual(['A']);
    await run(yoga, doc, 'A');
    await run(yoga, doc, 'B');
    expect(compiled).toEqual(['A']);
    expect(await run(yoga, doc, 'B')).toEqual({ data: { hello: 'world' } });
    expect(compiled).toEqual(['A', 'B']);
  });

  it('never documents past maxFields (fragments counted where spread)', async () => {
    const compiled: string[] = [];
    const yoga = createYoga({
      schema,
      logging: false,
      plugins: [useJitExecution({ compileAfter: 1, maxFields: 3, onCompile: (n) => compiled.push(n ?? '') })],
    });
    const ask = (query: string) =>
      yoga.fetch('http://x/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
    await ask('query Small { a: hello b: hello c: hello }');
    expect(compiled).toHaveLength(1);
    await ask('query Big { ...F ...F } fragment F on Query { a: hello b: hello }');
    expect(compiled).toHaveLength(1);
  });

  it('never mutations', async () => {
    const compiled: string[] = [];
    const yoga = yogaWith(compiled);
    for (let i = 0; i < 3; i++) expect(await run(yoga, 'mutation M { bump }')).toEqual({ data: { bump: 1 } });
    expect(compiled).toEqual([]);
  });
});

describe('asInterpreterError', () => {
  const document = parse('query {\n  corp(corpId: "x") {\r\n    corpId\n  }\n}');

  it('keeps locations as source positions, and rewords what the executor itself raises', () => {
    const jitError = Object.assign(Object.create(Error.prototype), {
      message: 'Cannot return null for non-nullable field Corp.(corpId,corpId).',
      locations: [{ line: 3, column: 5 }],
      path: ['corp', 'corpId'],
      originalError: undefined,
      extensions: undefined,
    });
    const error = asInterpreterError(jitError, document);
    expect(error.message).toBe('Cannot return null for non-nullable field Corp.corpId.');
    expect(error.locations).toEqual([{ line: 3, column: 5 }]);
    expect(error.path).toEqual(['corp', 'corpId']);
    expect(error.originalError).toBeInstanceOf(Error);
    expect(error.originalError?.message).toBe(error.message);
  });

  it('keeps the resolver error and its extensions', () => {
    const thrown = Object.assign(new Error('no'), { extensions: { code: 'FORBIDDEN' } });
    const jitError = Object.assign(Object.create(Error.prototype), {
      message: 'no',
      locations: [{ line: 2, column: 3 }],
      path: ['corp'],
      originalError: thrown,
      extensions: thrown.extensions,
    });
    const error = asInterpreterError(jitError, document);
    expect(error.originalError).toBe(thrown);
    expect(error.extensions).toEqual({ code: 'FORBIDDEN' });
    expect(error.toJSON().locations).toEqual([{ line: 2, column: 3 }]);
  });
});
