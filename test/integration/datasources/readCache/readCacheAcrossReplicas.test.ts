import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDurableStores, type DurableStores } from '../../../../src/datasources/createDurableStores.js';
import { type CachedReads, cacheReads } from '../../../../src/datasources/readCache/cacheReads.js';
import { createSecretBox } from '../../../../src/datasources/store/secretBox.js';
import { silentLogger } from '../../../../src/logging/Logger.js';
import { archivedMessages } from '../../../helpers/archivedMessage.js';
import { corpRecord } from '../../../helpers/corpRecord.js';
import { freshSchema, type TestSchema } from '../../../helpers/postgres.js';
import { purgePrefix, testRedisUrl, uniquePrefix } from '../../../helpers/redis.js';
import { waitFor } from '../../../helpers/waitFor.js';

const CORP = 'wwReadCacheCorp';
const OTHER = 'wwReadCacheOther';
const T0 = Math.floor(Date.now() / 1000) - 3600;
const box = createSecretBox('read-cache-test-master-key-0123456789');

const message = archivedMessages('rc', CORP);

type Replica = { stores: DurableStores; redis: Redis; reads: CachedReads };

/**
 * Two replicas' read caches (src/datasources/readCache) on one database and one Redis prefix, in one process:
 * what one writes, the other's next read shows once the invalidation arrives, however long its
 * TTL; and when the invalidation is lost, within the TTL.
 */
describe('read cache across replicas', () => {
  let schema: TestSchema;
  let prefix: string;
  const replicas: Replica[] = [];

  async function replica(ttlMs: number, options: { dropPublishes?: boolean } = {}): Promise<Replica> {
    const stores = await createDurableStores({ url: schema.url, poolMax: 4 }, box, silentLogger);
    const redis = new Redis(testRedisUrl, { maxRetriesPerRequest: 1 });
    // A publisher whose invalidations never reach Redis: "pub/sub lost" with every connection up.
    if (options.dropPublishes) redis.publish = (async () => 0) as unknown as Redis['publish'];
    const reads = cacheReads(stores, { redis, prefix, ttlMs, maxMessages: 10_000, logger: silentLogger });
    const made = { stores, redis, reads };
    replicas.push(made);
    await waitFor('the invalidation feed subscribed', () => reads.cache?.available, 5000);
    return made;
  }

  const newest = (r: Replica, corpId = CORP) =>
    r.reads.index.query({ corpId, first: 5, direction: 'desc' }).then((p) => p.items.map((m) => m.msgid));
  const total = (r: Replica, corpId = CORP) => r.reads.index.count({ corpId });

  beforeAll(async () => {
    schema = await freshSchema('readcache');
    prefix = uniquePrefix('readcache');
    const stores = await createDurableStores({ url: schema.url, poolMax: 1 }, box, silentLogger);
    for (const corpId of [CORP, OTHER]) await stores.corps.upsert(corpRecord(corpId));
    await stores.close();
  });

  afterAll(async () => {
    for (const r of replicas) {
      r.reads.close();
      await r.stores.close();
      r.redis.disconnect();
    }
    await schema.drop();
    await purgePrefix(prefix);
  });

  it("shows a message committed through replica A on replica B's next page, with the exact count", async () => {
    // A minute of TTL: only the invalidation can make B read again.
    const a = await replica(60_000);
    const b = await replica(60_000);
    await a.reads.index.append(CORP, [message(), message()]);
    await a.reads.index.append(OTHER, [message(OTHER)]);
    const before = await newest(b);
    expect(before).toHaveLength(2);
    expect(await total(b)).toBe(2);
    expect(await newest(b, OTHER)).toHaveLength(1);

    const added = message();
    const [fresh] = await a.reads.index.commitPage(CORP, { messages: [added], now: Date.now() });
    expect(fresh?.seq).toBe(3);
    // Read-your-writes on A at once; B within the pub/sub delay (bounded here by a second).
    expect((await newest(a))[0]).toBe(added.msgid);
    const seen = await waitFor(
      "B's page showing A's message",
      async () => ((await newest(b))[0] === added.msgid ? newest(b) : null),
      1000,
    );
    expect(seen).toEqual([added.msgid, ...before]);
    expect(await total(b)).toBe(3);

    // A record written on A; retention on A (every corp at once).
    await b.reads.corpReads.get(CORP);
    await a.reads.corps.upsert(corpRecord(CORP, { name: 'renamed on A' }));
    await waitFor(
      "B's corp record renamed",
      async () => (await b.reads.corpReads.get(CORP))?.name === 'renamed on A',
      1000,
    );
    await a.reads.index.dropBefore(T0 + 10 * 86_400);
    // Waits on OTHER's page, cached on B since the start: only the invalidation can empty it. (CORP's
    // count was dropped by the rename already, so it reads 0 before the invalidation arrives.)
    await waitFor('B seeing the archive emptied', async () => (await newest(b, OTHER)).length === 0, 1000);
    expect(await total(b, OTHER)).toBe(0);
    expect(await total(b)).toBe(0);
    expect(await newest(b)).toEqual([]);
  });

  it("serves a change whose invalidation was lost within B's TTL", async () => {
    const ttlMs = 1500;
    const a = await replica(60_000, { dropPublishes: true });
    const b = await replica(ttlMs);
    const first = message();
    await a.reads.index.append(CORP, [first]);
    // Cache B's page; A commits; its invalidation never leaves A.
    await waitFor("B's page showing the first message", async () => (await newest(b))[0] === first.msgid);
    const cachedAt = Date.now();
    const count = await total(b);
    const added = message();
    await a.reads.index.append(CORP, [added]);
    const committedAt = Date.now();
    expect((await newest(b))[0]).toBe(first.msgid);
    expect(await total(b)).toBe(count);
    await waitFor(
      "B's page and count after its TTL",
      async () => (await newest(b))[0] === added.msgid && (await total(b)) === count + 1,
      ttlMs + 1000,
    );
    const seenAt = Date.now();
    // Seen once the entries read before the commit expired: within the TTL of the commit.
    expect(seenAt - cachedAt).toBeGreaterThanOrEqual(ttlMs - 50);
    expect(seenAt - committedAt).toBeLessThan(ttlMs + 500);
  });
});
