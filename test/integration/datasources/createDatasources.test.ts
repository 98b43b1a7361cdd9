import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { createDatasources } from '../../../src/datasources/createDatasources.js';
import { silentLogger } from '../../../src/logging/Logger.js';
import { freshSchema } from '../../helpers/postgres.js';
import { purgePrefix, testRedisUrl, uniquePrefix } from '../../helpers/redis.js';
import { TEST_APPS_ENV } from '../../helpers/testApps.js';
import { type StubUpstream, SUITE_ID, SUITE_SECRET, startStubUpstream } from './stubUpstream.js';

let stub: StubUpstream;
beforeEach(async () => {
  stub = await startStubUpstream();
});
afterEach(async () => stub.close());

const UPSTREAM_ENV = {
  ...TEST_APPS_ENV,
  WECOM_SUITE_ID: SUITE_ID,
  WECOM_SUITE_SECRET: SUITE_SECRET,
  GATEWAY_MASTER_KEY: 'factory-test-master-key',
  GATEWAY_CLIENTS: JSON.stringify([{ id: 'c', key: 'k', corps: ['*'], scopes: ['admin'] }]),
};

async function authorizeAndSync(ds: Awaited<ReturnType<typeof createDatasources>>): Promise<void> {
  await ds.ping();
  await ds.tokens.setSuiteTicket('ticket', 1);
  const corp = await ds.auth.createAuth('auth-wwfactory');
  expect(corp).toMatchObject({ corpId: 'wwfactory', status: 'ACTIVE', publicKeyVersion: 1 });
  expect((await ds.corps.list()).map((c) => c.corpId)).toEqual(['wwfactory']);
  const page = await ds.api.chatdata('wwfactory', 'sync_msg', { limit: 100 });
  expect(page).toEqual({ has_more: false, next_cursor: 'c1', msg_list: [] });
}

describe('createDatasources', () => {
  it('wires memory stores without DATABASE_URL and REDIS_URL (the embedded demo)', async () => {
    const embedded = loadConfig({ WECOM_SUITE_ID: SUITE_ID, WECOM_SUITE_SECRET: SUITE_SECRET });
    const ds = await createDatasources({ ...embedded, wecomApiBase: stub.url }, silentLogger);
    expect(ds.redis).toBeNull();
    expect(ds.durable.kind).toBe('memory');
    await authorizeAndSync(ds);
    await ds.close();
    await ds.close();
  });

  it('refuses upstream mode without DATABASE_URL: the store of record must be durable', () => {
    expect(() => loadConfig({ WECOM_API_BASE: stub.url, ...UPSTREAM_ENV })).toThrow(
      /DATABASE_URL is required when WECOM_API_BASE is set/,
    );
  });

  it('keeps the store of record in PostgreSQL (secrets sealed) and nothing durable in Redis', async () => {
    const prefix = uniquePrefix('factory');
    const schema = await freshSchema('factory');
    const config = loadConfig({
      WECOM_API_BASE: stub.url,
      ...UPSTREAM_ENV,
      DATABASE_URL: schema.url,
      REDIS_URL: testRedisUrl,
      REDIS_PREFIX: prefix,
    });
    const ds = await createDatasources({ ...config, wecomApiBase: stub.url }, silentLogger);
    expect(ds.durable.kind).toBe('postgres');
    await authorizeAndSync(ds);
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    const { rows } = await client.query<{ sealed: string; state: string }>(
      `SELECT c.sealed_permanent_code AS sealed, k.state FROM corps c JOIN corp_keys k USING (corp_id)
        WHERE corp_id = 'wwfactory'`,
    );
    await client.end();
    // Secrets at rest are sealed, never plain; the key is active (set upstream).
    expect(rows).toEqual([{ sealed: expect.stringMatching(/^v1:/), state: 'active' }]);
    expect(rows[0]!.sealed).not.toContain('pc-wwfactory');
    // Redis holds only what can be rebuilt: token caches, locks, the short-lived note of an auth
    // code redeemed (for a lost get_permanent_code answer); no corp, key, ticket or cursor.
    const keys = await ds.redis!.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key.slice(prefix.length)).toMatch(/^(token|lock|authcode):/);
    await ds.close();
    await purgePrefix(prefix);
    await schema.drop();
  });
});
