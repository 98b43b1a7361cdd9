import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectExactlyOnce, simulatorMsgids } from '../helpers/archiveCheck.js';
import { type Stack, startStack } from '../helpers/startStack.js';
import { waitFor } from '../helpers/waitFor.js';
import { reportFigures } from './figures.js';
import { type OwnRedis, startOwnRedis } from './ownRedis.js';

const SYNC_MSG = '/cgi-bin/chatdata/sync_msg';
const DISPLAY_KEYS = /* GraphQL */ `
  query ($c: String!, $ids: [ID!]!) {
    corp(corpId: $c) { displayKeys(messageIds: $ids) { messageId publicKeyVersion secretKey } }
  }
`;
const CORPS = 'query { corps(first: 10) { edges { node { corpId publicKey { version } } } } }';

type DisplayKey = { messageId: string; publicKeyVersion: number; secretKey: string } | null;

/**
 * Issue 12's reliability case: corps authorized, thousands of messages archived, a key rotated;
 * then Redis is killed and started EMPTY (a cache deployment, or one without persistence). The
 * store of record is PostgreSQL, so every corp, message and display key is still served; the
 * inbox heals by itself and the next sync resumes from the stored cursor: nothing fetched twice,
 * nothing lost.
 */
describe('Redis lost: killed and started empty', () => {
  let redis: OwnRedis;
  let stack: Stack;
  const figures = { corps: 0, messages: 0, displayKeysChecked: 0, syncCallsAfter: 0, msgidsExactlyOnce: 0 };

  beforeAll(async () => {
    redis = await startOwnRedis();
    stack = await startStack({
      indexLookup: true,
      env: { REDIS_URL: redis.url, REDIS_PREFIX: 'loss:' },
    });
  }, 60_000);
  afterAll(async () => {
    reportFigures('redis lost', figures);
    await stack?.stop();
    await redis?.destroy();
  });

  it('keeps serving every corp, message and display key, and resumes sync from the stored cursor', async () => {
    const client = stack.client();
    const corpIds = stack.corps.map((c) => c.corpId);
    const { index } = stack.app.ingest;
    // More archive than the backlog, then a key rotation: messages under two key versions.
    const corpId = corpIds[0]!;
    await stack.simPost('/__sim/messages', { corpId, count: 800 });
    await waitFor(
      '800 more archived',
      async () => (await index.lastSeq(corpId)) === simulatorMsgids(stack.sim, corpId).length,
      30_000,
    );
    const rotated = await client.request<{ rotatePublicKey: { version: number } }>(
      'mutation ($c: String!) { rotatePublicKey(corpId: $c) { version } }',
      { c: corpId },
    );
    expect(rotated.rotatePublicKey.version).toBe(2);
    await stack.simPost('/__sim/messages', { corpId, count: 50 });
    const total = simulatorMsgids(stack.sim, corpId).length;
    await waitFor(
      'the messages under key 2 archived',
      async () => (await index.lastSeq(corpId)) === total,
      30_000,
    );
    const oldAndNew = [
      ...simulatorMsgids(stack.sim, corpId).slice(0, 50),
      ...simulatorMsgids(stack.sim, corpId).slice(-50),
    ];
    const before = await client.request<{ corp: { displayKeys: DisplayKey[] } }>(DISPLAY_KEYS, {
      c: corpId,
      ids: oldAndNew,
    });
    expect(new Set(before.corp.displayKeys.map((k) => k?.publicKeyVersion))).toEqual(new Set([1, 2]));
    const corpsBefore = await client.request(CORPS);
    const cursorsBefore = await Promise.all(corpIds.map((id) => stack.app.ingest.syncState.read(id)));

    await redis.crashEmpty();
    await redis.start();

    // Served from PostgreSQL, as before: corps, keys, messages.
    await waitFor(
      '/ready 200 again',
      async () => (await fetch(`${stack.gatewayUrl}/ready`)).status === 200,
      20_000,
    );
    expect(await client.request(CORPS)).toEqual(corpsBefore);
    const after = await client.request<{ corp: { displayKeys: DisplayKey[] } }>(DISPLAY_KEYS, {
      c: corpId,
      ids: oldAndNew,
    });
    expect(after).toEqual(before);
    figures.displayKeysChecked = after.corp.displayKeys.length;
    for (const [i, id] of corpIds.entries()) {
      expect((await stack.app.ingest.syncState.read(id)).cursor).toBe(cursorsBefore[i]!.cursor);
      await expectExactlyOnce(index, stack.sim, id);
    }

    // New traffic after the loss: the callback is queued in the new (empty) Redis, the inbox group
    // is made again, and each corp's sync starts from its stored cursor: one sync_msg call per
    // corp, returning only the new messages (a sync from scratch would page the whole backlog).
    await stack.simPost('/__sim/stats/reset');
    for (const id of corpIds) await stack.simPost('/__sim/messages', { corpId: id, count: 5 });
    await waitFor(
      'the new messages archived',
      async () => {
        const seqs = await Promise.all(corpIds.map((id) => index.lastSeq(id)));
        return seqs.every((n, i) => n === simulatorMsgids(stack.sim, corpIds[i]!).length);
      },
      30_000,
    );
    const calls = (await stack.simGet<{ calls: Record<string, number> }>('/__sim/stats')).calls;
    figures.syncCallsAfter = calls[SYNC_MSG] ?? 0;
    expect(figures.syncCallsAfter).toBe(corpIds.length);
    for (const id of corpIds) await expectExactlyOnce(index, stack.sim, id);
    figures.corps = corpIds.length;
    figures.messages = (await Promise.all(corpIds.map((id) => index.lastSeq(id)))).reduce((a, b) => a + b, 0);
    figures.msgidsExactlyOnce = figures.messages;
  }, 120_000);
});
