import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDurableStores } from '../../../src/datasources/createDurableStores.js';
import { type CachedReads, cacheReads } from '../../../src/datasources/readCache/cacheReads.js';
import { MemorySuiteTicketStore } from '../../../src/datasources/store/memory/MemorySuiteTicketStore.js';
import { RedisKeyValueStore } from '../../../src/datasources/store/redis/RedisKeyValueStore.js';
import { createSecretBox } from '../../../src/datasources/store/secretBox.js';
import { type Logger, silentLogger } from '../../../src/logging/Logger.js';
import { RateLimiter } from '../../../src/plugins/RateLimiter.js';
import { archivedMessages } from '../../helpers/archivedMessage.js';
import { corpRecord } from '../../helpers/corpRecord.js';
import { freshSchema, type TestSchema } from '../../helpers/postgres.js';
import { uniquePrefix } from '../../helpers/redis.js';
import { clusterPerSuite, mastersHolding } from '../../helpers/redisCluster.js';
import { redisServerFor } from '../../helpers/redisServer.js';
import { waitFor } from '../../helpers/waitFor.js';
import { seedCorp, wire } from '../datasources/harness.js';
import { startStubUpstream } from '../datasources/stubUpstream.js';

const installed = redisServerFor('Redis Cluster replica tests');
const CORP_TOKEN = '/cgi-bin/service/get_corp_token';

/**
 * What two replicas share through Redis, each with its own ioredis Cluster client on a real
 * 3-master cluster: the rate limiter's counters, the token chain's single-flight and cache,
 * and the read cache's invalidation feed.
 */
describe.skipIf(!installed)('two replicas sharing a Redis Cluster', () => {
  const { connect } = clusterPerSuite();

  it("adds up one client's hits from both replicas in one cluster key, never counting in memory", async () => {
    const prefix = uniquePrefix('crl');
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (_obj, msg) => warnings.push(msg ?? '') };
    const redis = await connect();
    const [a, b] = [redis, await connect()].map(
      (client) => new RateLimiter({ redis: client, prefix, max: 5, windowS: 60, logger }),
    ) as [RateLimiter, RateLimiter];
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await a.hit('client-0'), await b.hit('client-0'));
    expect(decisions.map((d) => [d.count, d.allowed])).toEqual([
      [1, true],
      [2, true],
      [3, true],
      [4, true],
      [5, true],
      [6, false],
      [7, false],
      [8, false],
    ]);
    // Twelve clients, one key each, on more than one master; each count is both replicas' sum.
    const ids = Array.from({ length: 12 }, (_, i) => `client-${i + 1}`);
    for (const id of ids) await a.hit(id);
    expect((await Promise.all(ids.map((id) => b.hit(id)))).map((d) => d.count)).toEqual(ids.map(() => 2));
    const keys = ['client-0', ...ids].map((id) => `${prefix}ratelimit:${id}`);
    expect(await redis.get(keys[0]!)).toBe('8');
    expect(await redis.pttl(keys[0]!)).toBeGreaterThan(55_000);
    expect((await mastersHolding(redis, keys)).size).toBeGreaterThan(1);
    expect(warnings).toEqual([]);
  });

  it('makes one get_corp_token call per corp for cold calls spread over both replicas', async () => {
    const stub = await startStubUpstream();
    const prefix = uniquePrefix('ctok');
    // The suite ticket lives in the store of record, which replicas share.
    const tickets = new MemorySuiteTicketStore();
    const redis = await connect();
    const replicas = [];
    for (const client of [redis, await connect()]) {
      replicas.push(wire(stub, new RedisKeyValueStore(client, { prefix }), {}, tickets));
    }
    const [a, b] = replicas as [ReturnType<typeof wire>, ReturnType<typeof wire>];
    try {
      const corps = Array.from({ length: 6 }, (_, i) => `wwcluster${i}`);
      await a.tokens.setSuiteTicket('t', 1);
      for (const corp of corps) await seedCorp(a.corps, corp);
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      stub.route(CORP_TOKEN, async ({ body }) => {
        await gate;
        return {
          json: { access_token: `gated-${(body as { auth_corpid: string }).auth_corpid}`, expires_in: 7200 },
        };
      });
      const calls = Array.from({ length: 120 }, (_, i) =>
        (i % 2 === 0 ? a : b).tokens.getCorpToken(corps[i % corps.length]!),
      );
      // Every corp's one fetch is in flight before any answers: all 120 callers started cold.
      await stub.waitForCall(CORP_TOKEN, corps.length);
      release();
      const tokens = await Promise.all(calls);
      expect(tokens).toEqual(calls.map((_, i) => `gated-${corps[i % corps.length]}`));
      expect(stub.count(CORP_TOKEN)).toBe(corps.length);
      expect((await b.tokens.getCorpToken(corps[0]!)) + (await a.tokens.getCorpToken(corps[1]!))).toBe(
        `gated-${corps[0]}gated-${corps[1]}`,
      );
      expect(stub.count(CORP_TOKEN)).toBe(corps.length);
      const cached = corps.map((c) => `${prefix}token:corp:${c}`);
      expect((await mastersHolding(redis, cached)).size).toBeGreaterThan(1);
    } finally {
      for (const r of replicas) await r.http.close();
      await stub.close();
    }
  });

  describe('read cache', () => {
    const CORP = 'wwClusterReadCache';
    const message = archivedMessages('crc', CORP);
    const box = createSecretBox('cluster-read-cache-master-key-0123456789');
    let schema: TestSchema;
    const closers: (() => Promise<void>)[] = [];

    beforeAll(async () => {
      schema = await freshSchema('cluster_readcache');
    });
    afterAll(async () => {
      for (const close of closers) await close();
      await schema?.drop();
    });

    async function replica(prefix: string): Promise<CachedReads> {
      const stores = await createDurableStores({ url: schema.url, poolMax: 4 }, box, silentLogger);
      // A minute of TTL: only an invalidation through the cluster can make a replica read again.
      const reads = cacheReads(stores, {
        redis: await connect(),
        prefix,
        ttlMs: 60_000,
        maxMessages: 10_000,
        logger: silentLogger,
      });
      closers.push(async () => {
        reads.close();
        await stores.close();
      });
      await waitFor('the invalidation feed subscribed', () => reads.cache?.available, 5000);
      return reads;
    }

    it("shows what replica A commits on replica B's next page, through the cluster's pub/sub", async () => {
      const prefix = uniquePrefix('crc');
      // Registered before the replicas start, so no invalidation of it is still on its way.
      const raw = await createDurableStores({ url: schema.url, poolMax: 1 }, box, silentLogger);
      closers.push(() => raw.close());
      await raw.corps.upsert(corpRecord(CORP));
      const a = await replica(prefix);
      const b = await replica(prefix);
      const newest = (r: CachedReads) =>
        r.index.query({ corpId: CORP, first: 5, direction: 'desc' }).then((p) => p.items.map((m) => m.msgid));
      expect(await newest(b)).toEqual([]);
      await a.index.append(CORP, [message(), message()]);
      // Once B shows them, A's announcement has arrived: nothing else is on its way to B.
      const before = (await waitFor("B's page showing A's first two", async () => {
        const page = await newest(b);
        return page.length === 2 ? page : null;
      })) as string[];
      // A write that announces nothing (straight to the store) stays unseen: B serves its cache.
      const unannounced = message();
      await raw.index.append(CORP, [unannounced]);
      expect(await newest(b)).toEqual(before);

      const added = message();
      await a.index.commitPage(CORP, { messages: [added], now: Date.now() });
      const seen = await waitFor(
        "B's page showing A's message",
        async () => ((await newest(b))[0] === added.msgid ? newest(b) : null),
        2000,
      );
      expect(seen).toEqual([added.msgid, unannounced.msgid, ...before]);
      expect(await b.index.count({ corpId: CORP })).toBe(4);
    });
  });
});
