import { createSimulator, type Simulator } from '../../simulator/createSimulator.js';
import type { MessageIndex } from '../../src/datasources/store/MessageIndex.js';
import { createPgPool } from '../../src/datasources/store/postgres/createPgPool.js';
import { migrate } from '../../src/datasources/store/postgres/migrate.js';
import { PgCorpRegistry } from '../../src/datasources/store/postgres/PgCorpRegistry.js';
import { PgMessageIndex } from '../../src/datasources/store/postgres/PgMessageIndex.js';
import { PgPartitions } from '../../src/datasources/store/postgres/PgPartitions.js';
import { createSecretBox } from '../../src/datasources/store/secretBox.js';
import { silentLogger } from '../../src/logging/Logger.js';
import { simulatorMsgids } from './archiveCheck.js';
import { freshSchema } from './postgres.js';
import { purgePrefix, testRedisUrl, uniquePrefix } from './redis.js';
import { simControl } from './simControl.js';
import { type SpawnedGateway, spawnGateway } from './spawnGateway.js';
import { TEST_APPS_ENV, TEST_APPS_SIM } from './testApps.js';
import { waitFor } from './waitFor.js';

const SYNC_MSG = '/cgi-bin/chatdata/sync_msg';
const MASTER_KEY = 'mid-sync-test-master-key-0123456789';

export type MidSync = {
  sim: Simulator;
  simUrl: string;
  corpIds: string[];
  /** The archive the gateways write, read directly from PostgreSQL. */
  index: MessageIndex;
  /** The gateway process that received the callbacks; a backlog sync is under way in it. */
  first: SpawnedGateway;
  /** Indexed messages per corp, in `corpIds` order. */
  counts(): Promise<number[]>;
  /** Archived messages per corp in the simulator (the ground truth). */
  totals(): number[];
  /** Another gateway process on the same database and Redis prefix; the simulator's callbacks go to it. */
  replace(): Promise<SpawnedGateway>;
  fault(body: unknown): Promise<void>;
  stop(): Promise<void>;
};

/**
 * A simulator and a gateway process on a fresh schema and Redis prefix, with small, slow sync pages, driven
 * until every corp is onboarded (key set upstream and ACTIVE in the registry) and a backlog sync
 * is half done: the moment crash and shutdown tests interrupt.
 */
export async function startMidSync(
  label: string,
  apiKey: string,
  env: Record<string, string> = {},
): Promise<MidSync> {
  const prefix = uniquePrefix(label);
  const schema = await freshSchema(label);
  const pool = createPgPool(schema.url, silentLogger, 4);
  // Migrated here first, so the reads below never race the gateway's own migration.
  await migrate(pool, silentLogger);
  const index = new PgMessageIndex(pool, new PgPartitions(pool, silentLogger), silentLogger);
  const registry = new PgCorpRegistry(pool, createSecretBox(MASTER_KEY));
  const sim = createSimulator({
    port: 0,
    messageRate: 0,
    newMessageBatchMs: 50,
    tokenlessSyncPerMinute: 10_000,
    ...TEST_APPS_SIM,
  });
  const { url: simUrl } = await sim.start();
  const gateways: SpawnedGateway[] = [];
  const stop = async () => {
    for (const gateway of gateways) await gateway.stop(1000);
    await sim.stop();
    await purgePrefix(prefix);
    await pool.end();
    await schema.drop();
  };
  const fault = async (body: unknown) => {
    await simControl(simUrl).post('/__sim/faults', body);
  };
  const gatewayEnv = {
    WECOM_API_BASE: simUrl,
    ...TEST_APPS_ENV,
    REDIS_URL: testRedisUrl,
    REDIS_PREFIX: prefix,
    DATABASE_URL: schema.url,
    GATEWAY_MASTER_KEY: MASTER_KEY,
    GATEWAY_CLIENTS: JSON.stringify([{ id: 't', key: apiKey, corps: ['*'], scopes: ['corp:read'] }]),
    LOG_LEVEL: 'warn',
    SYNC_PAGE_LIMIT: '40',
    SYNC_LEASE_MS: '2000',
    ...env,
  };
  const corpIds = sim.state.corpList().map((c) => c.corpId);
  const counts = () => Promise.all(corpIds.map((id) => index.lastSeq(id)));
  const start = async () => {
    const gateway = await spawnGateway(gatewayEnv);
    gateways.push(gateway);
    sim.setCallbackUrl(`${gateway.url}/wecom/callback`);
    return gateway;
  };
  try {
    // Slow, small pages: each corp's backlog sync takes seconds, so an interruption lands mid-sync.
    await fault({ path: SYNC_MSG, delayMs: 60 });
    const first = await start();
    await sim.beginCallbacks();
    await waitFor(
      'every corp onboarded (key set upstream, ACTIVE in the registry)',
      async () =>
        sim.state.corpList().every((c) => c.keys.version !== null) &&
        (await registry.list()).filter((c) => c.status === 'ACTIVE' && c.publicKeyVersion !== null).length ===
          corpIds.length,
      30_000,
    );
    await waitFor('a sync half done', async () => (await counts()).some((n) => n >= 80), 30_000);
    return {
      sim,
      simUrl,
      corpIds,
      index,
      first,
      counts,
      totals: () => corpIds.map((id) => simulatorMsgids(sim, id).length),
      replace: start,
      fault,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
