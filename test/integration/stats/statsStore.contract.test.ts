import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { applyMessages } from '../../../src/stats/applyMessages.js';
import { bucketsFor } from '../../../src/stats/bucketsFor.js';
import { MemoryStatsStore } from '../../../src/stats/MemoryStatsStore.js';
import { RedisStatsStore } from '../../../src/stats/RedisStatsStore.js';
import { recallDelta } from '../../../src/stats/recallDelta.js';
import type { StatsStore } from '../../../src/stats/StatsStore.js';
import { summarizeCounters } from '../../../src/stats/summarizeCounters.js';
import { purgePrefix, redisAvailable, testRedisUrl, uniquePrefix } from '../../helpers/redis.js';
import { CORP, conversation, T0, X } from '../../unit/stats/conversationFixture.js';

const implementations: [string, boolean, () => { store: StatsStore; cleanup(): Promise<void> }][] = [
  ['memory', true, () => ({ store: new MemoryStatsStore(), cleanup: async () => {} })],
  [
    'redis',
    redisAvailable,
    () => {
      const prefix = uniquePrefix('stats');
      const redis = new Redis(testRedisUrl);
      return {
        // The fixture is dated 2024: a retention long enough that its buckets have not expired.
        store: new RedisStatsStore(redis, prefix, 20 * 365 * 86_400),
        cleanup: async () => {
          redis.disconnect();
          await purgePrefix(prefix);
        },
      };
    },
  ],
];

for (const [name, available, make] of implementations) {
  describe.skipIf(!available)(`StatsStore contract (${name})`, () => {
    let store: StatsStore;
    const cleanups: (() => Promise<void>)[] = [];
    beforeEach(() => {
      const made = make();
      store = made.store;
      cleanups.push(made.cleanup);
    });
    afterAll(async () => {
      for (const c of cleanups) await c();
    });

    const day = bucketsFor(T0, T0 + 86_400).buckets;

    it('commits counters, chat states and the watermark together, once per watermark', async () => {
      const f = applyMessages(conversation(), new Map(), 8 * 3600);
      expect(await store.watermark(CORP)).toBe(0);
      expect(await store.commit(CORP, { expected: 0, next: 12, delta: f.delta, chats: f.chats })).toBe(true);
      expect(await store.commit(CORP, { expected: 0, next: 12, delta: f.delta, chats: f.chats })).toBe(false);
      expect(await store.watermark(CORP)).toBe(12);
      const s = summarizeCounters(await store.read(CORP, 'c', day));
      expect(s).toMatchObject({ messages: 12, customerMessages: 6, customerMessagesReplied: 5 });
      expect(s.reply.avg).toBe((90 + 300 + 60 + 28_800) / 4);
      expect(summarizeCounters(await store.read(CORP, `x:${X}`, day)).messages).toBe(8);
      expect(summarizeCounters(await store.read('wwOtherCorp', 'c', day)).messages).toBe(0);
    });

    it('keeps chat states and the waiting-turn index', async () => {
      const f = applyMessages(conversation(), new Map(), 8 * 3600);
      await store.commit(CORP, { expected: 0, next: 12, delta: f.delta, chats: f.chats });
      const keys = [...f.chats.keys()];
      const states = await store.chatStates(CORP, [...keys, 'nope']);
      expect(states.slice(0, -1)).toEqual(keys.map((k) => f.chats.get(k)));
      expect(states.at(-1)).toBeNull();
      const turns = await store.pendingTurns(CORP, T0, T0 + 86_400, 10);
      expect(turns.map((t) => t.turn.msgid)).toEqual(['m12']);
      expect(await store.pendingTurns(CORP, T0, T0 + 32_999, 10)).toEqual([]);
    });

    it('counts a recall once per message and remembers recalls awaiting their message', async () => {
      const m = conversation()[0]!;
      expect(await store.addRecallOnce(CORP, m.msgid, recallDelta(m))).toBe(true);
      expect(await store.addRecallOnce(CORP, m.msgid, recallDelta(m))).toBe(false);
      expect(summarizeCounters(await store.read(CORP, 'c', day)).recalls).toBe(1);
      expect(summarizeCounters(await store.read(CORP, `x:${X}`, day)).recalls).toBe(1);
      await store.awaitRecall(CORP, 'later');
      await store.awaitRecall(CORP, 'later');
      expect(await store.awaitedRecalls(CORP)).toEqual(['later']);
      await store.dropAwaitedRecall(CORP, 'later');
      expect(await store.awaitedRecalls(CORP)).toEqual([]);
    });

    it('purges a corp', async () => {
      const f = applyMessages(conversation(), new Map(), 8 * 3600);
      await store.commit(CORP, { expected: 0, next: 12, delta: f.delta, chats: f.chats });
      await store.purge(CORP);
      expect(await store.watermark(CORP)).toBe(0);
      expect(summarizeCounters(await store.read(CORP, 'c', day)).messages).toBe(0);
      expect(await store.pendingTurns(CORP, 0, T0 + 86_400, 10)).toEqual([]);
    });
  });
}
