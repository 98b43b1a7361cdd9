import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../../simulator/createSimulator.js';
import { PgMessageIndex } from '../../../src/datasources/store/postgres/PgMessageIndex.js';
import { PgPartitions } from '../../../src/datasources/store/postgres/PgPartitions.js';
import { silentLogger } from '../../../src/logging/Logger.js';
import { expectExactlyOnce, simulatorMsgids } from '../../helpers/archiveCheck.js';
import { type Collected, wsSubscribe } from '../../helpers/liveClients.js';
import { type MigratedSchema, migratedSchema } from '../../helpers/migratedSchema.js';
import { type LocalRedisCluster, startRedisCluster } from '../../helpers/redisCluster.js';
import { redisServerFor } from '../../helpers/redisServer.js';
import { type SpawnedGateway, spawnGateway } from '../../helpers/spawnGateway.js';
import { TEST_APPS_ENV, TEST_APPS_SIM } from '../../helpers/testApps.js';
import { waitFor } from '../../helpers/waitFor.js';

const KEY = 'cluster-e2e-key';
const CLIENTS = JSON.stringify([{ id: 'e2e', key: KEY, corps: ['*'], scopes: ['corp:read'] }]);
const MESSAGE_ADDED = /* GraphQL */ `
  subscription ($corpId: String!) { messageAdded(corpId: $corpId) { cursor message { msgid } } }
`;
type MessageAdded = { messageAdded: { message: { msgid: string } } };

const installed = redisServerFor('Redis Cluster end-to-end test');

/**
 * Issue 14's end-to-end case on a real 3-master cluster: two gateway processes with
 * REDIS_CLUSTER_NODES (and one PostgreSQL schema), the simulator's callbacks on A, a graphql-ws
 * subscriber on B. Corps are onboarded, the backlog is synced, and every new message reaches the
 * subscriber on the other gateway exactly once.
 */
describe.skipIf(!installed)('two gateways on a Redis Cluster', () => {
  let cluster: LocalRedisCluster;
  let sim: Simulator;
  let db: MigratedSchema;
  let index: PgMessageIndex;
  const gateways: SpawnedGateway[] = [];
  let live: Collected<MessageAdded> | null = null;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    db = await migratedSchema('cluster_e2e');
    index = new PgMessageIndex(db.pool, new PgPartitions(db.pool, silentLogger), silentLogger);
    sim = createSimulator({
      port: 0,
      messageRate: 0,
      newMessageBatchMs: 50,
      backlogPerCorp: 60,
      ...TEST_APPS_SIM,
    });
    await sim.start();
    const env = {
      WECOM_API_BASE: sim.url,
      ...TEST_APPS_ENV,
      REDIS_URL: undefined,
      REDIS_CLUSTER_NODES: cluster.env,
      REDIS_PREFIX: 'e2e:',
      DATABASE_URL: db.url,
      GATEWAY_MASTER_KEY: 'cluster-e2e-master-key-0123456789',
      GATEWAY_CLIENTS: CLIENTS,
      LOG_LEVEL: 'warn',
    };
    gateways.push(await spawnGateway(env), await spawnGateway(env));
    for (const g of gateways) {
      await waitFor(`${g.url}/ready`, async () => (await fetch(`${g.url}/ready`)).status === 200, 20_000);
    }
    sim.setCallbackUrl(`${gateways[0]!.url}/wecom/callback`);
    await sim.beginCallbacks();
  }, 90_000);
  afterAll(async () => {
    await live?.stop();
    await Promise.all(gateways.map((g) => g.stop()));
    await sim?.stop();
    await db?.close();
    await cluster?.stop();
  });

  it('onboards the corps, syncs the backlog and delivers new messages across gateways exactly once', async () => {
    const corpIds = sim.state.corpList().map((c) => c.corpId);
    await waitFor(
      'every backlog archived',
      async () => {
        const seqs = await Promise.all(corpIds.map((id) => index.lastSeq(id)));
        return seqs.every((n, i) => n > 0 && n === simulatorMsgids(sim, corpIds[i]!).length);
      },
      40_000,
    );
    const corpId = corpIds[0]!;
    const b = gateways[1]!;
    live = wsSubscribe<MessageAdded>(`${b.url}/graphql`, KEY, MESSAGE_ADDED, { corpId });
    await waitFor('the subscription live on B', async () =>
      /^wag_subscriptions_active 1$/m.test(await (await fetch(`${b.url}/metrics`)).text()),
    );
    const sent: string[] = [];
    for (let round = 0; round < 3; round++) {
      const res = await fetch(`${sim.url}/__sim/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ corpId, count: 10 }),
      });
      sent.push(...((await res.json()) as { msgids: string[] }).msgids);
    }
    await live.waitForCount(sent.length, 20_000);
    expect(live.items.map((e) => e.messageAdded.message.msgid).sort()).toEqual([...sent].sort());
    for (const id of corpIds) await expectExactlyOnce(index, sim, id);
  });
});
