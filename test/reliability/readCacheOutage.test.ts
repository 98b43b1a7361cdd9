import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDurableStores, type DurableStores } from '../../src/datasources/createDurableStores.js';
import { type CachedReads, cacheReads } from '../../src/datasources/readCache/cacheReads.js';
import { createSecretBox } from '../../src/datasources/store/secretBox.js';
import { silentLogger } from '../../src/logging/Logger.js';
import { archivedMessages } from '../helpers/archivedMessage.js';
import { corpRecord } from '../helpers/corpRecord.js';
import { freshSchema, type TestSchema } from '../helpers/postgres.js';
import { waitFor } from '../helpers/waitFor.js';
import { type OwnRedis, redisServerAvailable, startOwnRedis } from './ownRedis.js';

const CORP = 'wwReadCacheOutage';

const message = archivedMessages('out', CORP);

type Replica = { stores: DurableStores; redis: Redis; reads: CachedReads };

/**
 * The read cache while its Redis is down (src/datasources/readCache/InvalidationFeed): a replica whose
 * invalidation feed is disconnected reads every page from PostgreSQL, so a message committed by
 * another replica meanwhile is on its very next page, TTL or not; once Redis is back the feed
 * subscribes again and the cache serves and is invalidated as before.
 */
describe.skipIf(!redisServerAvailable)('read cache while Redis is down', () => {
  let own: OwnRedis;
  let schema: TestSchema;
  const replicas: Replica[] = [];

  async function replica(): Promise<Replica> {
    const box = createSecretBox('read-cache-outage-master-key-0123456789');
    const stores = await createDurableStores({ url: schema.url, poolMax: 4 }, box, silentLogger);
    const redis = new Redis(own.url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    // A minute of TTL: nothing here may depend on entries expiring.
    const reads = cacheReads(stores, {
      redis,
      prefix: 'outage:',
      ttlMs: 60_000,
      maxMessages: 10_000,
      logger: silentLogger,
    });
    const made = { stores, redis, reads };
    replicas.push(made);
    return made;
  }
  const newest = async (r: Replica) =>
    (await r.reads.index.query({ corpId: CORP, first: 5, direction: 'desc' })).items.map((m) => m.msgid);

  beforeAll(async () => {
    own = await startOwnRedis();
    schema = await freshSchema('readcacheoutage');
  });

  afterAll(async () => {
    for (const r of replicas) {
      r.reads.close();
      await r.stores.close();
      r.redis.disconnect();
    }
    await own?.destroy();
    await schema?.drop();
  });

  it('reads through to PostgreSQL while the feed is down, and caches again once it is back', async () => {
    const a = await replica();
    const b = await replica();
    await waitFor('both feeds subscribed', () => a.reads.cache?.available && b.reads.cache?.available);
    await a.stores.corps.upsert(corpRecord(CORP)); // uncached: no invalidation on its way
    const first = message();
    await a.reads.index.append(CORP, [first]);
    await waitFor("B's page showing the first message", async () => (await newest(b))[0] === first.msgid);

    await own.stop();
    await waitFor('B noticing its feed is down', () => b.reads.cache?.available === false);
    const duringOutage = message();
    await a.reads.index.append(CORP, [duringOutage]);
    // Not a cached page: PostgreSQL's, at once.
    expect(await newest(b)).toEqual([duringOutage.msgid, first.msgid]);
    expect(await b.reads.index.count({ corpId: CORP })).toBe(2);
    expect(b.reads.cache?.size).toBe(0);

    await own.start();
    await waitFor('B subscribed again', () => b.reads.cache?.available, 15_000);
    await waitFor('A subscribed again', () => a.reads.cache?.available, 15_000);
    await newest(b);
    expect(b.reads.cache?.size).toBe(1);
    const after = message();
    await a.reads.index.append(CORP, [after]);
    await waitFor(
      "B's page showing A's message after the outage",
      async () => (await newest(b))[0] === after.msgid,
      1000,
    );
  });
});
