import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../../simulator/createSimulator.js';
import { KvCorpRegistry } from '../../../src/datasources/KvCorpRegistry.js';
import { RedisMessageIndex } from '../../../src/datasources/messageIndex/RedisMessageIndex.js';
import { RedisKeyValueStore } from '../../../src/datasources/RedisKeyValueStore.js';
import { createSecretBox } from '../../../src/datasources/secretBox.js';
import { expectExactlyOnce, simulatorMsgids } from '../../helpers/archiveCheck.js';
import { purgePrefix, redisAvailable, testRedisUrl, uniquePrefix } from '../../helpers/redis.js';
import { type SpawnedGateway, spawnGateway } from '../../helpers/spawnGateway.js';
import { waitFor } from '../../helpers/waitFor.js';

const SYNC_MSG = '/cgi-bin/chatdata/sync_msg';

describe.skipIf(!redisAvailable)('kill -9 in the middle of a sync, then restart', () => {
  const prefix = uniquePrefix('crash');
  const redis = new Redis(testRedisUrl);
  const index = new RedisMessageIndex(redis, prefix);
  const MASTER_KEY = 'crash-test-master-key-0123456789';
  const registry = new KvCorpRegistry(new RedisKeyValueStore(redis, { prefix }), createSecretBox(MASTER_KEY));
  const gateways: SpawnedGateway[] = [];
  let sim: Simulator;

  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop(1000);
    await sim?.stop();
    await purgePrefix(prefix);
    redis.disconnect();
  });

  it('leaves every archived message in the index exactly once', async () => {
    sim = createSimulator({ port: 0, messageRate: 0, newMessageBatchMs: 50, tokenlessSyncPerMinute: 10_000 });
    const { url: simUrl } = await sim.start();
    // Slow, small pages: the sync of each corp's backlog takes seconds, so the kill lands mid-sync.
    await fetch(`${simUrl}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: SYNC_MSG, delayMs: 60 }),
    });
    const env = {
      WECOM_API_BASE: simUrl,
      REDIS_URL: testRedisUrl,
      REDIS_PREFIX: prefix,
      GATEWAY_MASTER_KEY: MASTER_KEY,
      GATEWAY_CLIENTS: JSON.stringify([{ id: 't', key: 'k', corps: ['*'], scopes: ['corp:read'] }]),
      LOG_LEVEL: 'warn',
      SYNC_PAGE_LIMIT: '40',
      SYNC_LEASE_MS: '2000',
    };
    const corpIds = sim.state.corpList().map((c) => c.corpId);

    const first = await spawnGateway(env);
    gateways.push(first);
    sim.setCallbackUrl(`${first.url}/wecom/callback`);
    await sim.beginCallbacks();
    // Onboarded on both sides: the key set upstream and the corp ACTIVE with it in the registry.
    await waitFor(
      'every corp authorized with a key',
      async () =>
        sim.state.corpList().every((c) => c.keys.version !== null) &&
        (await registry.list()).filter((c) => c.status === 'ACTIVE' && c.publicKeyVersion !== null).length ===
          corpIds.length,
      30_000,
    );
    const counts = async () => Promise.all(corpIds.map((id) => index.lastSeq(id)));
    await waitFor('a sync half done', async () => (await counts()).some((n) => n >= 80), 30_000);
    process.kill(first.pid, 'SIGKILL');
    await first.stop(0);

    const totals = corpIds.map((id) => simulatorMsgids(sim, id).length);
    const atKill = await counts();
    expect(atKill.some((n, i) => n < totals[i]!)).toBe(true);

    // The replacement catches every corp up from its checkpoint at start.
    const second = await spawnGateway(env);
    gateways.push(second);
    sim.setCallbackUrl(`${second.url}/wecom/callback`);
    await waitFor(
      'every corp caught up',
      async () => (await counts()).every((n, i) => n >= totals[i]!),
      40_000,
    );
    for (const corpId of corpIds) await expectExactlyOnce(index, sim, corpId);
    await second.stop();
  }, 90_000);
});
