import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createDatasources } from '../../../src/datasources/createDatasources.js';
import { silentLogger } from '../../../src/datasources/Logger.js';
import { purgePrefix, redisAvailable, testRedisUrl, uniquePrefix } from '../../helpers/redis.js';
import { TEST_APPS_ENV } from '../../helpers/testApps.js';
import { type StubUpstream, SUITE_ID, SUITE_SECRET, startStubUpstream } from './stubUpstream.js';

let stub: StubUpstream;
beforeEach(async () => {
  stub = await startStubUpstream();
});
afterEach(async () => stub.close());

function config(redisUrl?: string, prefix = 'wag:') {
  const base = loadConfig({
    WECOM_API_BASE: stub.url,
    ...TEST_APPS_ENV,
    WECOM_SUITE_ID: SUITE_ID,
    WECOM_SUITE_SECRET: SUITE_SECRET,
    GATEWAY_MASTER_KEY: 'factory-test-master-key',
    GATEWAY_CLIENTS: JSON.stringify([{ id: 'c', key: 'k', corps: ['*'], scopes: ['admin'] }]),
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_PREFIX: prefix } : {}),
  });
  return { ...base, wecomApiBase: stub.url };
}

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
  it('wires memory stores when REDIS_URL is unset', async () => {
    const ds = await createDatasources(config(), silentLogger);
    expect(ds.redis).toBeNull();
    await authorizeAndSync(ds);
    await ds.close();
    await ds.close();
  });

  it.skipIf(!redisAvailable)('wires Redis stores under the configured prefix', async () => {
    const prefix = uniquePrefix('factory');
    const ds = await createDatasources(config(testRedisUrl, prefix), silentLogger);
    expect(ds.redis).not.toBeNull();
    await authorizeAndSync(ds);
    const raw = await ds.redis!.keys(`${prefix}*`);
    expect(raw).toContain(`${prefix}corp:rec:wwfactory`);
    // Secrets at rest are sealed, never plain.
    const stored = await ds.redis!.get(`${prefix}corp:pc:wwfactory`);
    expect(stored).toMatch(/^v1:/);
    expect(stored).not.toContain('pc-wwfactory');
    await ds.close();
    await purgePrefix(prefix);
  });
});
