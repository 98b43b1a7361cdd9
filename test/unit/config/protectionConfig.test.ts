import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';
import { silentLogger } from '../../../src/logging/Logger.js';
import { PersistedOperations, sha256 } from '../../../src/plugins/PersistedOperations.js';
import { TEST_APPS_ENV } from '../../helpers/testApps.js';

const UPSTREAM = {
  WECOM_API_BASE: 'http://127.0.0.1:9',
  ...TEST_APPS_ENV,
  GATEWAY_MASTER_KEY: 'unit-test-master-key-0123',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  GATEWAY_CLIENTS: JSON.stringify([{ id: 'a', key: 'k', corps: ['*'], scopes: ['corp:read'] }]),
};

describe('protection config', () => {
  it('documents its defaults: introspection on in embedded mode only, CSRF on, persisted off', () => {
    const embedded = loadConfig({}).protection;
    expect(embedded).toMatchObject({
      maxDepth: 12,
      maxAliases: 30,
      maxTokens: 3000,
      maxCost: 5000,
      introspection: true,
      csrf: true,
      persisted: { mode: 'off', operations: {} },
      rateLimit: { max: 6000, windowS: 60 },
      breaker: { failures: 5, failureRatePercent: 50, minCalls: 20, windowMs: 30_000, cooldownMs: 10_000 },
      shutdownGraceMs: 10_000,
    });
    expect(loadConfig(UPSTREAM).protection.introspection).toBe(false);
    expect(loadConfig({ ...UPSTREAM, GRAPHQL_INTROSPECTION: 'true' }).protection.introspection).toBe(true);
  });

  it('reads the persisted list from a file, as a map or a list of documents, and rejects a bad one', () => {
    const doc = '{ viewer { id } }';
    const files: Record<string, string> = {
      '/list.json': JSON.stringify([doc]),
      '/map.json': JSON.stringify({ [sha256(doc)]: doc }),
      '/bad.json': JSON.stringify({ 'not-a-hash': doc }),
    };
    const read = (path: string) => files[path] ?? '';
    const load = (file: string) =>
      loadConfig({ ...UPSTREAM, PERSISTED_OPERATIONS: 'enforce', PERSISTED_OPERATIONS_FILE: file }, read);
    expect(load('/list.json').protection.persisted.operations).toEqual({ [sha256(doc)]: doc });
    expect(load('/map.json').protection.persisted.operations).toEqual({ [sha256(doc)]: doc });
    expect(() => load('/bad.json')).toThrow(/must be \{"<sha256 hex>": "<document>"\}/);
    expect(() => loadConfig({ ...UPSTREAM, PERSISTED_OPERATIONS: 'log' })).toThrow(ConfigError);
  });
});

describe('PersistedOperations', () => {
  const doc = 'query A { viewer { id } }';
  const ops = { [sha256(doc)]: doc };

  it('enforce: listed text and digests pass, other text is PERSISTED_QUERY_ONLY unless admin', () => {
    const store = new PersistedOperations('enforce', ops, silentLogger);
    expect(store.resolve({ extensions: { persistedQuery: { sha256Hash: sha256(doc) } } }, false)).toBe(doc);
    expect(store.resolve({ query: doc }, false)).toBe(doc);
    expect(() => store.resolve({ query: '{ viewer { scopes } }' }, false)).toThrow(
      /only persisted operations/,
    );
    expect(store.resolve({ query: '{ viewer { scopes } }' }, true)).toBe('{ viewer { scopes } }');
    expect(() => store.resolve({ extensions: { persistedQuery: { sha256Hash: 'ab' } } }, true)).toThrow(
      /no persisted operation has sha256 ab/,
    );
  });

  it('log: anything runs, unknown documents are reported once', () => {
    const seen: string[] = [];
    const store = new PersistedOperations('log', ops, silentLogger, (mode) => seen.push(mode));
    expect(store.resolve({ query: '{ viewer { scopes } }' }, false)).toBe('{ viewer { scopes } }');
    expect(seen).toEqual(['log']);
  });
});
