import { createHash } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeGlobalId } from '../../../src/resolvers/globalId.js';
import { errorCodes, gqlErrors, type Json } from '../../helpers/graphqlCall.js';
import { type Stack, startStack } from '../../helpers/startStack.js';

const READER_KEY = 'reader-key';
const DISPLAY_KEY = 'display-key';

describe('authentication, corp isolation and scopes on every path', () => {
  let stack: Stack;
  let own: string;
  let other: string;

  beforeAll(async () => {
    const sha = createHash('sha256').update(DISPLAY_KEY).digest('hex');
    stack = await startStack({
      clients: (corpIds) => {
        [own, other] = [corpIds[0]!, corpIds[1]!];
        return [
          { id: 'reader', key: READER_KEY, corps: [own], scopes: ['corp:read'] },
          { id: 'display', key: `sha256:${sha}`, corps: [own], scopes: ['corp:read', 'content:display'] },
        ];
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('UNAUTHENTICATED without a key and with a wrong key (HTTP 401), before any resolver', async () => {
    for (const key of [null, 'wrong-key']) {
      const { errors, status } = await gqlErrors(stack.client(key), '{ viewer { id } }');
      expect(errors.map((e) => e.extensions?.['code'])).toEqual(['UNAUTHENTICATED']);
      expect(status).toBe(401);
    }
  });

  it('accepts a sha256:<hex> stored key', async () => {
    const data = await stack.client(DISPLAY_KEY).request<Json>('{ viewer { id scopes corpIds } }');
    expect(data.viewer).toEqual({ id: 'display', scopes: ['corp:read', 'content:display'], corpIds: [own] });
  });

  it('shows a restricted client only its corp in corps', async () => {
    const data = await stack.client(READER_KEY).request<Json>('{ corps { edges { node { corpId } } } }');
    expect(data.corps.edges.map((e: Json) => e.node.corpId)).toEqual([own]);
  });

  it('FORBIDDEN on the other corp via corp(), node(), nested search, and every mutation', async () => {
    const reader = stack.client(READER_KEY);
    const chatId = encodeGlobalId('Chat', `${other}|G|wrsomething`);
    const ruleId = encodeGlobalId('KeywordRule', `${other}|rule1`);
    const taskId = encodeGlobalId('AnalysisTask', `${other}|job1`);
    const msgId = encodeGlobalId('Message', `${other}|msg1`);
    const paths: [string, Record<string, unknown>][] = [
      ['query($c: String!) { corp(corpId: $c) { corpId } }', { c: other }],
      ['query($id: ID!) { node(id: $id) { id } }', { id: encodeGlobalId('Corp', other) }],
      ['query($id: ID!) { node(id: $id) { id } }', { id: chatId }],
      ['query($id: ID!) { node(id: $id) { id } }', { id: ruleId }],
      ['query($id: ID!) { node(id: $id) { id } }', { id: taskId }],
      ['query($id: ID!) { node(id: $id) { id } }', { id: msgId }],
      [
        'query($c: String!) { corp(corpId: $c) { searchChats(query: "项目") { edges { cursor } } } }',
        { c: other },
      ],
      [
        'mutation($c: String!) { createKeywordRule(corpId: $c, input: { name: "x", keywords: ["ab"] }) { id } }',
        { c: other },
      ],
      ['mutation($id: ID!) { updateKeywordRule(id: $id, input: { name: "x" }) { id } }', { id: ruleId }],
      ['mutation($id: ID!) { deleteKeywordRule(id: $id) }', { id: ruleId }],
      [
        'mutation($c: String!) { startAnalysis(corpId: $c, type: SPAM, messageIds: ["m"]) { id } }',
        { c: other },
      ],
      ['mutation($c: String!) { rotatePublicKey(corpId: $c) { version } }', { c: other }],
    ];
    await stack.simPost('/__sim/stats/reset');
    for (const [query, vars] of paths) {
      expect(await errorCodes(reader, query, vars), query).toEqual(['FORBIDDEN']);
    }
    const calls = (await stack.simGet<{ calls: Record<string, number> }>('/__sim/stats')).calls;
    expect(calls).toEqual({});
  });

  it('FORBIDDEN for a scope the client lacks, on its own corp', async () => {
    const reader = stack.client(READER_KEY);
    const mutations: [string, Record<string, unknown>][] = [
      [
        'mutation($c: String!) { createKeywordRule(corpId: $c, input: { name: "x", keywords: ["ab"] }) { id } }',
        { c: own },
      ],
      [
        'mutation($c: String!) { startAnalysis(corpId: $c, type: SPAM, messageIds: ["m"]) { id } }',
        { c: own },
      ],
      ['mutation($c: String!) { rotatePublicKey(corpId: $c) { version } }', { c: own }],
    ];
    for (const [query, vars] of mutations) {
      const { errors } = await gqlErrors(reader, query, vars);
      expect(errors[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect(errors[0]?.message).toMatch(/lacks scope (rules:write|analysis:write|admin)/);
    }
  });

  it('Message.display: FORBIDDEN without content:display, a key with it', async () => {
    const { archiveAll } = await import('../../helpers/startStack.js');
    const [message] = await archiveAll(stack, own);
    const id = encodeGlobalId('Message', `${own}|${message!.msgid}`);
    const query = 'query($id: ID!) { node(id: $id) { ... on Message { msgid display { secretKey } } } }';
    const denied = await gqlErrors(stack.client(READER_KEY), query, { id });
    expect(denied.errors.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN']);
    expect((denied.data as Json).node).toEqual({ msgid: message!.msgid, display: null });
    const allowed = await stack.client(DISPLAY_KEY).request<Json>(query, { id });
    expect(allowed.node.display.secretKey.length).toBeGreaterThan(0);
  });

  it('graphql-ws: the same rules with connectionParams.authorization', async () => {
    const wsUrl = stack.graphqlUrl.replace(/^http/, 'ws');
    const run = (authorization: string | undefined, query: string) => {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        connectionParams: authorization ? { authorization } : {},
      });
      return new Promise<Json>((resolve, reject) => {
        let result: unknown;
        client.subscribe(
          { query },
          {
            next: (value) => {
              result = value;
            },
            // Refused before execution (auth): graphql-ws' `error` message with the errors.
            error: (errors) => (Array.isArray(errors) ? resolve({ errors }) : reject(errors)),
            complete: () => resolve(result),
          },
        );
      }).finally(() => client.dispose());
    };
    const ok = await run(`Bearer ${READER_KEY}`, '{ viewer { id } }');
    expect(ok.data.viewer.id).toBe('reader');
    const anonymous = await run(undefined, '{ viewer { id } }');
    expect(anonymous.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const forbidden = await run(`Bearer ${READER_KEY}`, `{ corp(corpId: "${other}") { corpId } }`);
    expect(forbidden.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});
