import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import type { CallbackEvent } from '../../../src/callbacks/CallbackEvent.js';
import { loadConfig } from '../../../src/config/config.js';
import { isCluster } from '../../../src/datasources/store/redis/RedisClient.js';
import { RedisKeyValueStore } from '../../../src/datasources/store/redis/RedisKeyValueStore.js';
import { redisMasters } from '../../../src/datasources/store/redis/redisMasters.js';
import { scanPrefix } from '../../../src/datasources/store/redis/scanPrefix.js';
import { unlinkPrefix } from '../../../src/datasources/store/redis/unlinkPrefix.js';
import { EventBus } from '../../../src/ingest/EventBus.js';
import { RedisInbox } from '../../../src/ingest/RedisInbox.js';
import { uniquePrefix } from '../../helpers/redis.js';
import { clusterPerSuite, mastersHolding } from '../../helpers/redisCluster.js';
import { redisServerFor } from '../../helpers/redisServer.js';
import { kvContract } from '../datasources/store/kvContract.js';

const installed = redisServerFor('Redis Cluster tests');

/**
 * The Redis coordination layer on a real 3-master cluster started from redis-server here: the
 * key-value contract (locks, caches), scans per master, deletes split by slot, the inbox stream,
 * and pub/sub between two clients (what two gateways do) through duplicateRedis.
 */
describe.skipIf(!installed)('Redis Cluster', () => {
  const { connect } = clusterPerSuite();

  it('createRedis returns an ioredis Cluster that sees three masters', async () => {
    const redis = await connect();
    expect(isCluster(redis)).toBe(true);
    expect(redisMasters(redis)).toHaveLength(3);
  });

  kvContract('redis cluster', async () => {
    const redis = await connect();
    const kv = new RedisKeyValueStore(redis, { prefix: uniquePrefix('ckv') });
    return { kv, dispose: async () => kv.close() };
  });

  it('scans every master and deletes keys of many slots', async () => {
    const redis = await connect();
    const prefix = uniquePrefix('scan');
    const keys = Array.from({ length: 60 }, (_, i) => `${prefix}k${i}`);
    for (const key of keys) await redis.set(key, '1');
    // The keys really are spread: a single-node SCAN or one multi-key DEL could not handle them.
    const holders = new Set<string>();
    for (const node of redisMasters(redis)) {
      if ((await node.dbsize()) > 0) holders.add(`${node.options.host}:${node.options.port}`);
    }
    expect(holders.size).toBe(3);
    expect(new Set(keys.map((k) => calculateSlot(k))).size).toBeGreaterThan(30);

    const found: string[] = [];
    for await (const batch of scanPrefix(redis, prefix)) found.push(...batch);
    expect(found.sort()).toEqual([...keys].sort());

    const kv = new RedisKeyValueStore(redis, { prefix });
    await kv.delete('k0', 'k1', 'k2', 'k3', 'k4', 'k5');
    expect(await kv.keys('k')).toHaveLength(54);
    await unlinkPrefix(redis, prefix);
    const left: string[] = [];
    for await (const batch of scanPrefix(redis, prefix)) left.push(...batch);
    expect(left).toEqual([]);
  });

  it('spreads the inbox over streams by corp, and hands out and acks every event', async () => {
    const redis = await connect();
    const prefix = uniquePrefix('inbox');
    const inbox = new RedisInbox(redis, prefix);
    const event = (corp: string) =>
      ({
        InfoType: 'conversation_new_message',
        SuiteId: 'suite',
        AuthCorpId: corp,
        Token: 'token',
        TimeStamp: 1,
      }) as unknown as CallbackEvent;
    const corps = Array.from({ length: 12 }, (_, i) => `wwcorp${i}`);
    await inbox.push({ event: event(corps[0]!), receivedAt: 0, trace: { traceparent: '00-abc-def-01' } });
    for (const corp of corps.slice(1)) await inbox.push({ event: event(corp), receivedAt: 1 });
    expect(await inbox.depth()).toBe(12);
    // Not one hot key: the streams holding entries sit on more than one master.
    const streams: string[] = [];
    for await (const batch of scanPrefix(redis, `${prefix}inbox:`)) streams.push(...batch);
    expect(streams.length).toBeGreaterThan(3);
    expect(new Set(streams.map((k) => calculateSlot(k))).size).toBe(streams.length);
    expect((await mastersHolding(redis, streams)).size).toBeGreaterThan(1);

    const taken: Awaited<ReturnType<RedisInbox['take']>> = [];
    const deadline = Date.now() + 10_000;
    while (taken.length < 12 && Date.now() < deadline) taken.push(...(await inbox.take('c1', 10, 200)));
    expect(taken.map((e) => (e.event as { AuthCorpId: string }).AuthCorpId).sort()).toEqual(
      [...corps].sort(),
    );
    expect(taken.find((e) => (e.event as { AuthCorpId: string }).AuthCorpId === corps[0])?.trace).toEqual({
      traceparent: '00-abc-def-01',
    });
    await inbox.ack(taken.map((e) => e.id));
    expect(await inbox.depth()).toBe(0);
    await inbox.close();
  });

  it('takes an event from whichever stream holds it, in one take', async () => {
    const redis = await connect();
    const inbox = new RedisInbox(redis, uniquePrefix('inboxturn'));
    const event = (corp: string) =>
      ({
        InfoType: 'conversation_new_message',
        SuiteId: 'suite',
        AuthCorpId: corp,
      }) as unknown as CallbackEvent;
    // One event at a time, over every shard: each single take must return it, wherever the
    // consumer's turn stands (a take that blocked on another stream would answer [] instead).
    for (let i = 0; i < 12; i++) {
      const corp = `wwturn${i}`;
      await inbox.push({ event: event(corp), receivedAt: i });
      const taken = await inbox.take('c1', 10, 9_000);
      expect(taken.map((e) => (e.event as { AuthCorpId: string }).AuthCorpId)).toEqual([corp]);
      await inbox.ack(taken.map((e) => e.id));
    }
    expect(await inbox.depth()).toBe(0);
    await inbox.close();
  });

  it('carries pub/sub between two clients, as between two gateways', async () => {
    const prefix = uniquePrefix('bus');
    const a = new EventBus({ redis: await connect(), prefix });
    const b = new EventBus({ redis: await connect(), prefix });
    const stream = b.subscribe('consent', 'wwA');
    const first = stream.next();
    await b.ready('consent', 'wwA');
    const payload = {
      corpId: 'wwA',
      employeeId: 'e1',
      externalUserId: 'x1',
      chatId: null,
      status: 'AGREE' as const,
      changedAt: 1,
    };
    a.publish('consent', 'wwA', payload);
    expect((await first).value).toEqual(payload);
    await stream.return?.();
    await a.close();
    await b.close();
  });

  it('refuses a REDIS_PREFIX with a hash tag, and both REDIS_URL and REDIS_CLUSTER_NODES', () => {
    expect(() => loadConfig({ REDIS_PREFIX: 'wag:{x}:' })).toThrow(
      'REDIS_PREFIX: must not contain { or } (a cluster hash tag), got "wag:{x}:"',
    );
    expect(() => loadConfig({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'a:1' })).toThrow(
      /REDIS_URL \(one node\) or REDIS_CLUSTER_NODES \(a cluster\), not both/,
    );
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'r1:7000,r2.example:7001' }).redis.clusterNodes).toEqual([
      { host: 'r1', port: 7000 },
      { host: 'r2.example', port: 7001 },
    ]);
  });
});
