import { afterAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../../simulator/createSimulator.js';
import { createPgPool, type PgPool } from '../../../src/datasources/store/postgres/createPgPool.js';
import { migrate } from '../../../src/datasources/store/postgres/migrate.js';
import { PgMessageIndex } from '../../../src/datasources/store/postgres/PgMessageIndex.js';
import { PgPartitions } from '../../../src/datasources/store/postgres/PgPartitions.js';
import { silentLogger } from '../../../src/logging/Logger.js';
import { expectExactlyOnce, simulatorMsgids } from '../../helpers/archiveCheck.js';
import { metricValue } from '../../helpers/metricValue.js';
import { freshSchema, type TestSchema } from '../../helpers/postgres.js';
import { purgePrefix, testRedisUrl, uniquePrefix } from '../../helpers/redis.js';
import { simControl } from '../../helpers/simControl.js';
import { type SpawnedGateway, spawnGateway } from '../../helpers/spawnGateway.js';
import { TEST_APPS_ENV, TEST_APPS_SIM } from '../../helpers/testApps.js';
import { waitFor } from '../../helpers/waitFor.js';

// Issue 11, point 4, as tried: kill -9 during a slow set_public_key left the corp with publicKey
// null for good, its backlog unsynced, and the redelivered create_auth refused as a used code.
// Here the real entry point runs as a child process, is killed in the middle of that call, and a
// new process on the same PostgreSQL and Redis must finish the onboarding, once.
const SET_KEY = '/cgi-bin/chatdata/set_public_key';
const MASTER_KEY = 'kill-set-key-test-master-key-0123';

describe('kill -9 during set_public_key, then restart', () => {
  const prefix = uniquePrefix('killsetkey');
  let schema: TestSchema | undefined;
  let pool: PgPool | undefined;
  let sim: Simulator | undefined;
  const gateways: SpawnedGateway[] = [];

  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop(1000);
    await sim?.stop();
    await purgePrefix(prefix);
    await pool?.end();
    await schema?.drop();
  });

  it('ends with the key set once, the backlog archived once, the create_auth finished, nothing doubled', async () => {
    schema = await freshSchema('killsetkey');
    pool = createPgPool(schema.url, silentLogger, 2);
    await migrate(pool, silentLogger);
    const db = pool;
    const index = new PgMessageIndex(db, new PgPartitions(db, silentLogger), silentLogger);
    sim = createSimulator({
      port: 0,
      messageRate: 0,
      corpCount: 1,
      backlogPerCorp: 150,
      tokenlessSyncPerMinute: 10_000,
      ...TEST_APPS_SIM,
    });
    const { url: simUrl } = await sim.start();
    const corpId = sim.state.corpList()[0]!.corpId;
    const simCorp = sim.state.corps.get(corpId)!;
    const setKeyCalls = async () =>
      (await simControl(simUrl).get<{ calls: Record<string, number> }>('/__sim/stats')).calls[SET_KEY] ?? 0;
    const one = async <T>(sql: string): Promise<T> => (await db.query(sql, [corpId])).rows[0] as T;
    const start = async () => {
      const gateway = await spawnGateway({
        WECOM_API_BASE: simUrl,
        ...TEST_APPS_ENV,
        REDIS_URL: testRedisUrl,
        REDIS_PREFIX: prefix,
        DATABASE_URL: schema!.url,
        GATEWAY_MASTER_KEY: MASTER_KEY,
        GATEWAY_CLIENTS: JSON.stringify([{ id: 't', key: 'k', corps: ['*'], scopes: ['corp:read'] }]),
        LOG_LEVEL: 'warn',
        // The killed process's unacked create_auth comes back after a second, not 30.
        INGEST_REDELIVER_S: '1',
      });
      gateways.push(gateway);
      sim!.setCallbackUrl(`${gateway.url}/wecom/callback`);
      return gateway;
    };

    // The first set_public_key takes 5 s upstream, and takes effect there whatever the caller does.
    await simControl(simUrl).post('/__sim/faults', { path: SET_KEY, delayMs: 5000, times: 1 });
    const first = await start();
    await sim.beginCallbacks();
    await waitFor('set_public_key in flight, the display app onboarded', async () => {
      const display = await db.query('SELECT 1 FROM display_corps WHERE corp_id = $1', [corpId]);
      return (await setKeyCalls()) === 1 && display.rowCount === 1;
    });
    process.kill(first.pid, 'SIGKILL');
    await first.stop(0);

    // What the crash left: the corp stored without a key, the key pending, nothing archived.
    const atKill = await one<{ record: { publicKeyVersion: number | null } }>(
      'SELECT record FROM corps WHERE corp_id = $1',
    );
    expect(atKill.record.publicKeyVersion).toBeNull();
    expect(
      await one<{ state: string; n: number }>(
        'SELECT min(state) AS state, count(*) AS n FROM corp_keys WHERE corp_id = $1',
      ),
    ).toEqual({
      state: 'pending',
      n: 1,
    });
    expect(await index.lastSeq(corpId)).toBe(0);

    const second = await start();
    // The dead process's per-corp key lock lapses within its 15 s lease; then the start-up
    // repair (or the redelivered create_auth) asks set_public_key again: 40212 or ok = applied.
    await waitFor(
      'the key active, the corp synced',
      async () => {
        const { record } = await one<{ record: { publicKeyVersion: number | null } }>(
          'SELECT record FROM corps WHERE corp_id = $1',
        );
        return (
          record.publicKeyVersion === 1 &&
          simCorp.keys.version === 1 &&
          (await index.lastSeq(corpId)) === simulatorMsgids(sim!, corpId).length
        );
      },
      45_000,
    );
    // The create_auth the killed process had taken is delivered again and finished, not refused
    // as a used code; nothing is counted as lost or failed.
    await waitFor('the inbox drained', async () => (await inboxDepth(prefix)) === 0, 15_000);
    expect(await metricValue(second.url, 'wag_callback_events_failed_total')).toBe(0);
    expect(await metricValue(second.url, 'wag_onboarding_events_total')).toBe(0);

    // Nothing doubled: one corp, one key version (active), one display authorization, each
    // message once, in the simulator's order.
    expect(await one<{ n: number }>('SELECT count(*) AS n FROM corps WHERE corp_id = $1')).toEqual({ n: 1 });
    expect(
      await one<{ states: string[] }>(
        'SELECT array_agg(state ORDER BY version) AS states FROM corp_keys WHERE corp_id = $1',
      ),
    ).toEqual({ states: ['active'] });
    expect(await one<{ n: number }>('SELECT count(*) AS n FROM display_corps WHERE corp_id = $1')).toEqual({
      n: 1,
    });
    await expectExactlyOnce(index, sim, corpId);
    expect(simCorp.keys.version).toBe(1);
  }, 90_000);
});

/** Entries in the gateway's Redis inbox streams (every shard). */
async function inboxDepth(prefix: string): Promise<number> {
  const { Redis } = await import('ioredis');
  const client = new Redis(testRedisUrl, { maxRetriesPerRequest: 1 });
  try {
    let total = 0;
    for (let n = 0; n < 8; n++) total += await client.xlen(`${prefix}inbox:{${n}}`);
    return total;
  } finally {
    client.disconnect();
  }
}
