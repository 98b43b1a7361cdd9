import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../../simulator/createSimulator.js';
import { createPgPool, type PgPool } from '../../../src/datasources/store/postgres/createPgPool.js';
import { PgMessageIndex } from '../../../src/datasources/store/postgres/PgMessageIndex.js';
import { PgPartitions } from '../../../src/datasources/store/postgres/PgPartitions.js';
import { silentLogger } from '../../../src/logging/Logger.js';
import { type Collected, sseSubscribe, wsSubscribe } from '../../helpers/liveClients.js';
import { freshSchema, type TestSchema } from '../../helpers/postgres.js';
import { purgePrefix, testRedisUrl, uniquePrefix } from '../../helpers/redis.js';
import { type SpawnedGateway, spawnGateway } from '../../helpers/spawnGateway.js';
import { TEST_APPS_ENV, TEST_APPS_SIM } from '../../helpers/testApps.js';
import { waitFor } from '../../helpers/waitFor.js';

const KEY = 'scaleout-key';
const CLIENTS = JSON.stringify([{ id: 'scaleout', key: KEY, corps: ['*'], scopes: ['corp:read'] }]);
const GET_CORP_TOKEN = '/cgi-bin/service/get_corp_token';
const GET_SUITE_TOKEN = '/cgi-bin/service/get_suite_token';

type MessageAdded = { messageAdded: { cursor: string; message: { msgid: string } } };
const MESSAGE_ADDED = /* GraphQL */ `
  subscription ($corpId: String!, $after: String) {
    messageAdded(corpId: $corpId, after: $after) { cursor message { msgid } }
  }
`;

/**
 * Three gateway processes (the real entry point) on one database and Redis prefix, one simulator;
 * they start together on an empty schema, so the migrations run once under their lock. Callbacks
 * land on A, later on B; subscribers sit on C (graphql-ws) and B (SSE). Proves: every message
 * reaches every subscriber exactly once, whichever replica took the callback; one token fetch per
 * corp across replicas; one index entry per message (one sync loop per corp).
 */
describe('three replicas on one database and one Redis', () => {
  let sim: Simulator;
  let prefix: string;
  let redis: Redis;
  let schema: TestSchema;
  let pool: PgPool;
  const gateways: SpawnedGateway[] = [];
  const subscribers: Collected<unknown>[] = [];
  let corpIds: string[] = [];

  const simCorps = async () =>
    (
      (await (await fetch(`${sim.url}/__sim/corps`)).json()) as {
        corps: { corpId: string; messageCount: number }[];
      }
    ).corps;
  const simCalls = async () =>
    ((await (await fetch(`${sim.url}/__sim/stats`)).json()) as { calls: Record<string, number> }).calls;
  const simPost = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  async function gql<T>(gateway: SpawnedGateway, query: string, variables: Record<string, unknown> = {}) {
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ query, variables }),
    });
    const json = (await res.json()) as { data?: T; errors?: unknown };
    if (json.errors || !json.data) throw new Error(JSON.stringify(json.errors ?? json));
    return json.data;
  }
  /** The seq counter, the index's own count, and the distinct msgids a full read returns. */
  const indexed = async (corpId: string) => {
    const index = new PgMessageIndex(pool, new PgPartitions(pool, silentLogger), silentLogger);
    const msgids = new Set<string>();
    let after = 0;
    for (;;) {
      const page = await index.query({ corpId, after, first: 500 });
      for (const m of page.items) msgids.add(m.msgid);
      if (!page.hasMore || page.endSeq === null) break;
      after = page.endSeq;
    }
    return {
      counter: await index.lastSeq(corpId),
      entries: await index.count({ corpId }),
      records: msgids.size,
    };
  };

  beforeAll(async () => {
    prefix = uniquePrefix('scaleout');
    redis = new Redis(testRedisUrl, { maxRetriesPerRequest: 1 });
    schema = await freshSchema('scaleout');
    pool = createPgPool(schema.url, silentLogger, 4);
    sim = createSimulator({ port: 0, messageRate: 0, newMessageBatchMs: 50, ...TEST_APPS_SIM });
    await sim.start();
    const env = {
      WECOM_API_BASE: sim.url,
      ...TEST_APPS_ENV,
      REDIS_URL: testRedisUrl,
      REDIS_PREFIX: prefix,
      DATABASE_URL: schema.url,
      GATEWAY_MASTER_KEY: 'scaleout-master-key-0123456789',
      GATEWAY_CLIENTS: CLIENTS,
      LOG_LEVEL: 'warn',
      UPSTREAM_TIMEOUT_MS: '5000',
      // A minute: a replica's page shows another's commit through the invalidation, not the TTL.
      READ_CACHE_TTL_MS: '60000',
    };
    const spawned = await Promise.allSettled([spawnGateway(env), spawnGateway(env), spawnGateway(env)]);
    for (const s of spawned) if (s.status === 'fulfilled') gateways.push(s.value);
    const failed = spawned.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    for (const g of gateways) {
      await waitFor(`${g.url}/ready`, async () => (await fetch(`${g.url}/ready`)).status === 200, 20_000);
    }
    sim.setCallbackUrl(`${gateways[0]!.url}/wecom/callback`);
    await sim.beginCallbacks();
    // Authorized through A's callback endpoint; the backlog archived by whichever replica syncs.
    corpIds = (await simCorps()).map((c) => c.corpId);
    await waitFor(
      'every corp authorized and its backlog indexed',
      async () => {
        const corps = await simCorps();
        const counts = await Promise.all(corps.map((c) => indexed(c.corpId)));
        return corps.every((c, i) => c.messageCount > 0 && counts[i]!.counter === c.messageCount);
      },
      25_000,
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(subscribers.map((s) => s.stop()));
    await Promise.all(gateways.map((g) => g.stop()));
    await sim?.stop();
    if (prefix) await purgePrefix(prefix);
    redis?.disconnect();
    await pool?.end();
    await schema?.drop();
  });

  it('delivers every new message exactly once to subscribers on other replicas, wherever callbacks land', async () => {
    const [a, b, c] = gateways as [SpawnedGateway, SpawnedGateway, SpawnedGateway];
    const corpId = corpIds[0]!;
    // Subscribe from the current end of the archive: what arrives after the cursor is replayed
    // or live, so the subscription needs no settling time.
    const { corp } = await gql<{ corp: { messages: { pageInfo: { endCursor: string } } } }>(
      a,
      `query ($corpId: String!) { corp(corpId: $corpId) { messages(first: 1, filter: { newestFirst: true }) { pageInfo { endCursor } } } }`,
      { corpId },
    );
    const after = corp.messages.pageInfo.endCursor;
    const ws = wsSubscribe<MessageAdded>(`${c.url}/graphql`, KEY, MESSAGE_ADDED, { corpId, after });
    const sse = sseSubscribe<MessageAdded>(`${b.url}/graphql`, KEY, MESSAGE_ADDED, { corpId, after });
    subscribers.push(ws, sse);

    const locks = new Map<string, Set<string>>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const key of await redis.keys(`${prefix}*lock*`)) {
          const holder = await redis.get(key);
          if (holder) locks.set(key, (locks.get(key) ?? new Set()).add(holder));
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();

    const sent: string[] = [];
    for (let i = 0; i < 3; i++) {
      sent.push(...(await simPost<{ msgids: string[] }>('/__sim/messages', { corpId, count: 15 })).msgids);
    }
    sim.setCallbackUrl(`${b.url}/wecom/callback`); // callbacks move to B mid-stream
    for (let i = 0; i < 3; i++) {
      sent.push(...(await simPost<{ msgids: string[] }>('/__sim/messages', { corpId, count: 10 })).msgids);
    }
    expect(sent).toHaveLength(75);

    try {
      for (const [name, sub] of [
        ['graphql-ws on C', ws],
        ['SSE on B', sse],
      ] as const) {
        await sub.waitForCount(sent.length, 20_000).catch((error: Error) => {
          const got = new Set(sub.items.map((e) => e.messageAdded.message.msgid));
          const missing = sent.map((id, i) => (got.has(id) ? null : i)).filter((i) => i !== null);
          throw new Error(`${name}: ${error.message}; missing positions ${missing.join(',')}`);
        });
        const ids = sub.items.map((e) => e.messageAdded.message.msgid);
        expect(new Set(ids).size).toBe(ids.length);
        expect([...ids].sort()).toEqual([...sent].sort());
      }
    } finally {
      sampling = false;
      await sampler;
    }

    // No duplicate index writes: the index holds exactly the simulator's messages.
    const expected = (await simCorps()).find((x) => x.corpId === corpId)!.messageCount;
    await waitFor('index settled', async () => (await indexed(corpId)).counter === expected, 10_000);
    expect(await indexed(corpId)).toEqual({ counter: expected, entries: expected, records: expected });
    // Every callback was answered, before and after the move.
    const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as {
      callbacks: { byInfoType: Record<string, { ok: number; failed: number }> };
    };
    expect(stats.callbacks.byInfoType['conversation_new_message']?.failed ?? 0).toBe(0);
    // One lease key per corp's sync loop, whichever replicas held it.
    const syncLocks = [...locks.keys()].filter((k) => k.includes(corpId) && k.includes('sync'));
    expect(syncLocks.length).toBeLessThanOrEqual(1);
    // No extra frames after everything was delivered (a second loop would publish again).
    const probe = await simPost<{ msgids: string[] }>('/__sim/messages', { corpId, count: 1 });
    await ws.waitForCount(sent.length + 1, 10_000);
    expect(ws.items.map((e) => e.messageAdded.message.msgid).slice(sent.length)).toEqual(probe.msgids);
  });

  it("shows a message archived by whichever replica synced on every replica's next page, totalCount exact", async () => {
    const corpId = corpIds[1] ?? corpIds[0]!;
    const page = async (gateway: SpawnedGateway) => {
      const { corp } = await gql<{
        corp: { messages: { totalCount: number; edges: { node: { msgid: string } }[] } };
      }>(
        gateway,
        `query ($corpId: String!) { corp(corpId: $corpId) { messages(first: 5, filter: { newestFirst: true }) { totalCount edges { node { msgid } } } } }`,
        { corpId },
      );
      return { total: corp.messages.totalCount, msgids: corp.messages.edges.map((e) => e.node.msgid) };
    };
    // Every replica has the newest page and the count in its cache, twice read to be sure.
    const before = await Promise.all(gateways.map(page));
    expect(await Promise.all(gateways.map(page))).toEqual(before);
    const total = before[0]!.total;

    sim.setCallbackUrl(`${gateways[0]!.url}/wecom/callback`);
    const { msgids } = await simPost<{ msgids: string[] }>('/__sim/messages', { corpId, count: 3 });
    await waitFor(
      'the messages committed',
      async () => (await indexed(corpId)).counter === total + 3,
      10_000,
    );
    // Committed by whichever replica's worker took the callback; seen everywhere within the
    // pub/sub delay (a second here, against a minute of TTL).
    for (const gateway of gateways) {
      const seen = await waitFor(
        `${gateway.url} showing the new messages`,
        async () => {
          const now = await page(gateway);
          return now.total === total + 3 ? now : null;
        },
        1000,
      );
      expect(seen?.msgids.slice(0, 3)).toEqual([...msgids].reverse());
      expect(seen?.msgids.slice(3)).toEqual(before[0]!.msgids.slice(0, 2));
    }
  });

  it('fetches one token per corp across the three replicas, also on a cold cache under concurrent load', async () => {
    // Since start: authorization, key upload, backlog sync and the first test, on three replicas.
    const sinceStart = await simCalls();
    expect(sinceStart[GET_CORP_TOKEN]).toBe(corpIds.length);
    // One per app: the archive app's and the display app's (each redeems its own create_auth).
    expect(sinceStart[GET_SUITE_TOKEN]).toBe(2);

    // Cold cache (as after an eviction), then 20 concurrent requests per replica that each need
    // every corp's token.
    const tokenKeys = await redis.keys(`${prefix}token:*`);
    expect(tokenKeys.length).toBeGreaterThan(0);
    await redis.del(...tokenKeys);
    await simPost('/__sim/stats/reset', {});
    const query = `{ ${corpIds.map((id, i) => `c${i}: corp(corpId: "${id}") { authorization { editions { edition } } }`).join(' ')} }`;
    await Promise.all(gateways.flatMap((g) => Array.from({ length: 20 }, () => gql(g, query))));
    const cold = await simCalls();
    expect(cold[GET_CORP_TOKEN]).toBe(corpIds.length);
    expect(cold[GET_SUITE_TOKEN]).toBe(1);
  });
});
