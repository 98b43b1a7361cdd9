import { createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createSimulator, type Simulator } from '../../simulator/createSimulator.js';
import { RedisMessageIndex } from '../../src/datasources/messageIndex/RedisMessageIndex.js';
import { expectExactlyOnce, simulatorMsgids } from '../helpers/archiveCheck.js';
import { purgePrefix, redisAvailable, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { type SpawnedGateway, spawnGateway } from '../helpers/spawnGateway.js';
import { waitFor } from '../helpers/waitFor.js';
import { postGraphql, reportFigures } from './figures.js';

const SYNC_MSG = '/cgi-bin/chatdata/sync_msg';
const RULES = '/cgi-bin/chatdata/keyword/get_rule_list';
const KEY = 'sigterm-key';

describe.skipIf(!redisAvailable)('SIGTERM during a sync', () => {
  const prefix = uniquePrefix('sigterm');
  const redis = new Redis(testRedisUrl);
  const index = new RedisMessageIndex(redis, prefix);
  const gateways: SpawnedGateway[] = [];
  let sim: Simulator;

  afterAll(async () => {
    for (const g of gateways) await g.stop(1000);
    await sim?.stop();
    await purgePrefix(prefix);
    redis.disconnect();
  });

  it('finishes in-flight requests, closes graphql-ws with 1001, and loses or doubles no message', async () => {
    sim = createSimulator({ port: 0, messageRate: 0, newMessageBatchMs: 50, tokenlessSyncPerMinute: 10_000 });
    const { url: simUrl } = await sim.start();
    const fault = (body: unknown) =>
      fetch(`${simUrl}/__sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await fault({ path: SYNC_MSG, delayMs: 60 });
    const env = {
      WECOM_API_BASE: simUrl,
      REDIS_URL: testRedisUrl,
      REDIS_PREFIX: prefix,
      GATEWAY_MASTER_KEY: 'sigterm-test-master-key-0123456789',
      GATEWAY_CLIENTS: JSON.stringify([{ id: 't', key: KEY, corps: ['*'], scopes: ['corp:read'] }]),
      LOG_LEVEL: 'info',
      SYNC_PAGE_LIMIT: '40',
      SYNC_LEASE_MS: '2000',
      SHUTDOWN_GRACE_MS: '3000',
    };
    const corpIds = sim.state.corpList().map((c) => c.corpId);
    const first = await spawnGateway(env);
    gateways.push(first);
    sim.setCallbackUrl(`${first.url}/wecom/callback`);
    await sim.beginCallbacks();
    await waitFor(
      'every corp authorized with a key',
      () => sim.state.corpList().every((c) => c.keys.version !== null),
      30_000,
    );
    const counts = () => Promise.all(corpIds.map((id) => index.lastSeq(id)));
    await waitFor('a sync under way', async () => (await counts()).some((n) => n >= 80), 30_000);

    // A live subscription and a slow request, both open when SIGTERM arrives.
    const closeCodes: number[] = [];
    const client = createClient({
      url: `${first.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${KEY}` },
      retryAttempts: 0,
      on: { closed: (event) => closeCodes.push((event as { code: number }).code) },
    });
    const subscribed = new Promise<void>((resolve) => {
      client.on('connected', () => resolve());
    });
    const ended = new Promise<void>((resolve) => {
      client.subscribe(
        {
          query: 'subscription($c: String!) { messageAdded(corpId: $c) { cursor } }',
          variables: { c: corpIds[0] },
        },
        { next: () => {}, error: () => resolve(), complete: () => resolve() },
      );
    });
    await subscribed;
    await fault({ path: RULES, delayMs: 1000, times: 1 });
    const slow = postGraphql(
      `${first.url}/graphql`,
      {
        query: 'query($c: String!) { corp(corpId: $c) { keywordRules(first: 1) { edges { cursor } } } }',
        variables: { c: corpIds[0] },
      },
      { authorization: `Bearer ${KEY}` },
    );
    await new Promise((r) => setTimeout(r, 200)); // the request is in flight upstream
    const stopping = first.stop(60_000);
    const slowResult = await slow;
    await stopping;
    await ended;
    await client.dispose();
    const atStop = await counts();
    const totals = corpIds.map((id) => simulatorMsgids(sim, id).length);

    expect(slowResult.status).toBe(200);
    expect(slowResult.json.errors).toBeUndefined();
    expect(closeCodes).toContain(1001);
    expect(first.output()).toContain('stopping');

    await fetch(`${simUrl}/__sim/faults`, { method: 'DELETE' });
    const second = await spawnGateway(env);
    gateways.push(second);
    sim.setCallbackUrl(`${second.url}/wecom/callback`);
    await waitFor(
      'every corp caught up',
      async () => (await counts()).every((n, i) => n >= totals[i]!),
      40_000,
    );
    for (const corpId of corpIds) await expectExactlyOnce(index, sim, corpId);
    const final = await counts();
    reportFigures('sigterm during sync', {
      messages: totals.reduce((a, b) => a + b, 0),
      indexedAtStop: atStop.reduce((a, b) => a + b, 0),
      syncCutMidway: atStop.some((n, i) => n < totals[i]!) ? 'yes' : 'no',
      messagesLost: totals.reduce((a, b) => a + b, 0) - final.reduce((a, b) => a + b, 0),
      wsCloseCode: closeCodes.join(','),
    });
  }, 120_000);
});
