import { parse } from 'graphql';
import type { DestinationStream } from 'pino';
import { describe, expect, it, vi } from 'vitest';

const constructed = vi.hoisted(() => ({ loaders: 0 }));
vi.mock('dataloader', async (importOriginal) => {
  type DataLoaderClass = typeof import('dataloader');
  const DataLoader = ((await importOriginal()) as { default: DataLoaderClass }).default;
  class CountedDataLoader<K, V, C = K> extends DataLoader<K, V, C> {
    constructor(...args: ConstructorParameters<typeof DataLoader<K, V, C>>) {
      super(...args);
      constructed.loaders++;
    }
  }
  return { default: CountedDataLoader };
});

import { createAuthenticator } from '../../../src/auth/authenticate.js';
import { createGatewayYoga } from '../../../src/createGatewayYoga.js';
import type { MessageLookup } from '../../../src/datasources/store/ports.js';
import { createLogger, lazyChildLogger } from '../../../src/logging/createLogger.js';
import { silentLogger } from '../../../src/logging/Logger.js';
import { OperationCostCache, operationCost } from '../../../src/plugins/operationCost.js';
import { DigestCache, sha256 } from '../../../src/plugins/PersistedOperations.js';
import type { Context } from '../../../src/resolvers/context.js';
import { createLoaders } from '../../../src/resolvers/createLoaders.js';
import { base64url, decodeIndexCursor, encodeIndexCursor } from '../../../src/resolvers/indexCursor.js';
import { isoFromUnixSeconds } from '../../../src/schema/builder.js';
import { schema } from '../../../src/schema/index.js';

const noApi = { chatdata: vi.fn() } as unknown as Context['ds']['api'];

describe('request loaders', () => {
  it('builds nothing up front: a corp on first use, each loader on first use, once', () => {
    const before = constructed.loaders;
    const loaders = createLoaders({ api: noApi, messages: null });
    const corp = loaders.corp('wwA');
    expect(constructed.loaders).toBe(before);
    const message = corp.message;
    expect(constructed.loaders).toBe(before + 1);
    expect(corp.message).toBe(message);
    expect(loaders.corp('wwA')).toBe(corp);
    void corp.groupChat;
    void corp.singleConsent;
    expect(constructed.loaders).toBe(before + 3);
    expect(loaders.corp('wwB')).not.toBe(corp);
  });

  it('clear() forgets every corp: the next use gets fresh loaders and an empty cache', async () => {
    const getMany = vi.fn(async (_corpId: string, ids: readonly string[]) => ids.map(() => null));
    const loaders = createLoaders({ api: noApi, messages: { getMany } as MessageLookup });
    await loaders.corp('wwA').message.load('m1');
    await loaders.corp('wwA').message.load('m1');
    expect(getMany).toHaveBeenCalledTimes(1);
    const old = loaders.corp('wwA').message;
    loaders.clear();
    expect(loaders.corp('wwA').message).not.toBe(old);
    await loaders.corp('wwA').message.load('m1');
    expect(getMany).toHaveBeenCalledTimes(2);
  });

  it('reads the keyword hits of a whole page in one store call', async () => {
    const getMany = vi.fn(async (_corpId: string, msgids: readonly string[]) =>
      msgids.map((msgid) => (msgid === 'm2' ? { msgid, rules: [], sendTime: null, recordedAt: 1 } : null)),
    );
    const loaders = createLoaders({ api: noApi, messages: null, hits: { getMany } });
    const hits = await Promise.all(['m1', 'm2', 'm3'].map((id) => loaders.corp('wwA').hits.load(id)));
    expect(hits.map((h) => h?.msgid ?? null)).toEqual([null, 'm2', null]);
    expect(getMany).toHaveBeenCalledTimes(1);
    expect(getMany).toHaveBeenCalledWith('wwA', ['m1', 'm2', 'm3']);
  });

  it("renewLoaders() renews the loaders of the context resolvers see (envelop's copy)", async () => {
    const yoga = createGatewayYoga({
      authenticate: createAuthenticator([]),
      ds: { api: noApi } as Context['ds'],
      features: { specapi: false },
      messages: null,
      ingest: null,
      logger: silentLogger,
      exposeErrors: false,
      graphiqlKey: null,
    });
    const { contextFactory } = yoga.getEnveloped({});
    const ctx = (await contextFactory()) as Context;
    const before = ctx.loaders.corp('wwA').message;
    expect(ctx.loaders.corp('wwA').message).toBe(before);
    ctx.renewLoaders();
    expect(ctx.loaders.corp('wwA').message).not.toBe(before);
  });
});

describe('API key verdicts', () => {
  const clients = [{ id: 'one', key: 'k-one', corps: ['*'], scopes: ['corp:read' as const] }];

  it('are remembered per value, both ways, and stay right past the bound', () => {
    const authenticate = createAuthenticator(clients, 2);
    expect(authenticate('Bearer k-one')?.id).toBe('one');
    expect(authenticate('Bearer k-one')?.id).toBe('one');
    expect(authenticate('Bearer wrong')).toBeNull();
    expect(authenticate.remembered()).toBe(2);
    expect(authenticate('bearer k-one')?.id).toBe('one');
    expect(authenticate.remembered()).toBe(2);
    // The oldest went first; it is judged again, correctly.
    expect(authenticate('Bearer k-one')?.id).toBe('one');
    expect(authenticate('Bearer wrong')).toBeNull();
    expect(authenticate.remembered()).toBe(2);
  });

  it('are not kept for absent or very long values', () => {
    const authenticate = createAuthenticator(clients);
    expect(authenticate(null)).toBeNull();
    expect(authenticate(undefined)).toBeNull();
    expect(authenticate(`Bearer ${'x'.repeat(600)}`)).toBeNull();
    expect(authenticate.remembered()).toBe(0);
  });
});

describe('persisted-operation digests', () => {
  it('are the sha256 of the text, remembered up to a bound, long texts never kept', () => {
    const digests = new DigestCache(2, 100);
    for (const text of ['{ a }', '{ b }', '{ a }', '{ c }', 'x'.repeat(101)]) {
      expect(digests.of(text)).toBe(sha256(text));
    }
    expect(digests.size).toBe(2);
    expect(digests.of('{ a }')).toBe(sha256('{ a }'));
  });
});

describe('operation cost cache', () => {
  const q = parse(
    'query($n: Int, $p: [ConsentPairInput!]!) { corp(corpId: "c") { keywordRules(first: $n) { edges { node { id } } } consents(pairs: $p) { status } } }',
  );
  const pair = { employeeId: 'e', externalUserId: 'x' };

  it('answers what operationCost answers, per operation and variables', () => {
    const cache = new OperationCostCache(undefined, 2);
    for (const variables of [{ n: 5, p: [pair] }, { n: 50, p: [pair, pair] }, { n: 5, p: [pair] }, {}]) {
      expect(cache.cost(schema, q, null, variables)).toBe(operationCost(schema, q, null, variables));
    }
    expect(cache.cost(schema, q, null, { n: 100, p: [] })).toBe(
      operationCost(schema, q, null, { n: 100, p: [] }),
    );
  });

  it('costs afresh whatever is not plain JSON', () => {
    const cache = new OperationCostCache();
    const file = new File(['x'], 'x.txt');
    const exotic = { n: 3, p: [pair], f: file };
    expect(cache.cost(schema, q, null, exotic)).toBe(operationCost(schema, q, null, exotic));
    expect(cache.cost(schema, q, null, { n: Number.NaN, p: [] })).toBe(
      operationCost(schema, q, null, { n: Number.NaN, p: [] }),
    );
  });
});

describe('request logger', () => {
  it('creates the pino child only when something is logged, with its bindings', () => {
    const lines: string[] = [];
    const destination: DestinationStream = { write: (l: string) => void lines.push(l) };
    const logger = createLogger({ level: 'debug', destination });
    const child = vi.spyOn(logger, 'child');
    const lazy = lazyChildLogger(logger, { requestId: 'r-9' });
    expect(child).not.toHaveBeenCalled();
    lazy.info({ authorization: 'Bearer s3cret' }, 'one');
    lazy.warn({}, 'two');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('"requestId":"r-9"');
    expect(lines.join('')).not.toContain('s3cret');
  });
});

describe('fast encoders', () => {
  it('DateTime: whole seconds format as toISOString does', () => {
    const samples = [0, 59, 86_399, 86_400, 951_782_400, 951_868_800, 1_709_251_199, 253_402_300_799];
    for (let v = 0; v < 253_402_300_800; v += 79_999_993) samples.push(v);
    for (const v of samples) expect(isoFromUnixSeconds(v)).toBe(new Date(v * 1000).toISOString());
  });

  it('index cursors: base64url as Buffer writes it, and they decode back', () => {
    for (const text of ['', 'i', 'ix', 'ix:', 'ix:1', 'ix:12', 'ix:ww1:123456789012345']) {
      expect(base64url(text)).toBe(Buffer.from(text).toString('base64url'));
    }
    for (const seq of [0, 1, 99, 1200, 123_456_789_012_345]) {
      expect(decodeIndexCursor(encodeIndexCursor('wwA', seq), 'wwA')).toBe(seq);
    }
    expect(decodeIndexCursor(encodeIndexCursor('企业:甲', 7), '企业:甲')).toBe(7);
  });

  it("index cursors carry their corp: another corp's cursor is BAD_USER_INPUT", () => {
    const fromA = encodeIndexCursor('wwA', 42);
    expect(() => decodeIndexCursor(fromA, 'wwB')).toThrow(
      /after is a cursor of another corp \(wwA\); a cursor resumes only listings of corp wwB/,
    );
    try {
      decodeIndexCursor(fromA, 'wwB');
    } catch (error) {
      expect((error as { extensions: { code: string } }).extensions.code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('index page and totalCount', () => {
  const corp = {
    corpId: 'wwA',
    name: null,
    status: 'ACTIVE',
    authorizedAt: 0,
    cancelledAt: null,
    publicKeyVersion: 1,
  };
  const setup = () => {
    const calls: string[] = [];
    let release: () => void = () => {};
    const pageGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const index = {
      query: async () => {
        calls.push('query');
        await pageGate;
        return { items: [], hasMore: false, endSeq: null };
      },
      count: async () => {
        calls.push('count');
        return 7;
      },
    };
    const yoga = createGatewayYoga({
      authenticate: createAuthenticator([{ id: 'c', key: 'k', corps: ['*'], scopes: ['corp:read'] }]),
      ds: { api: noApi, corpReads: { get: async () => corp } } as unknown as Context['ds'],
      features: { specapi: false },
      messages: null,
      ingest: { index } as unknown as Context['ingest'],
      logger: silentLogger,
      exposeErrors: false,
      graphiqlKey: null,
    });
    const ask = (query: string) =>
      yoga.fetch('http://gw/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
        body: JSON.stringify({ query }),
      });
    return { calls, release, ask };
  };

  it('sends the count with the page query when totalCount is selected (also through fragments)', async () => {
    const queries: [string, unknown][] = [
      [
        '{ corp(corpId: "wwA") { messages(first: 2) { totalCount edges { cursor } } } }',
        { totalCount: 7, edges: [] },
      ],
      [
        '{ corp(corpId: "wwA") { messages(first: 2) { ...C } } } fragment C on MessageConnection { totalCount }',
        { totalCount: 7 },
      ],
      [
        '{ corp(corpId: "wwA") { messages(first: 2) { ... on MessageConnection { totalCount } } } }',
        { totalCount: 7 },
      ],
    ];
    for (const [query, messages] of queries) {
      const { calls, release, ask } = setup();
      const pending = ask(query);
      await vi.waitFor(() => expect(calls).toContain('query'));
      expect(calls).toEqual(['count', 'query']);
      release();
      expect(await (await pending).json()).toEqual({ data: { corp: { messages } } });
      expect(calls).toEqual(['count', 'query']);
    }
  });

  it('never counts when totalCount is not asked for', async () => {
    const { calls, release, ask } = setup();
    release();
    const body = await (
      await ask('{ corp(corpId: "wwA") { messages(first: 2) { edges { cursor } } } }')
    ).json();
    expect(body).toEqual({ data: { corp: { messages: { edges: [] } } } });
    expect(calls).toEqual(['query']);
  });
});
