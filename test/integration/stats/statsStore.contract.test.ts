import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyMessages } from '../../../src/stats/applyMessages.js';
import { bucketsFor } from '../../../src/stats/bucketsFor.js';
import { MemoryStatsStore } from '../../../src/stats/MemoryStatsStore.js';
import { PgStatsStore } from '../../../src/stats/PgStatsStore.js';
import { recallDelta } from '../../../src/stats/recallDelta.js';
import type { BreakdownDimension, BreakdownQuery, StatsStore } from '../../../src/stats/StatsStore.js';
import { summarizeCounters } from '../../../src/stats/summarizeCounters.js';
import { contractImplementations } from '../../helpers/migratedSchema.js';
import { CORP, conversation, E, E2, T0, X } from '../../unit/stats/conversationFixture.js';

const TABLES = [
  'stats_watermarks',
  'stats_counters',
  'stats_chats',
  'stats_recalls',
  'stats_awaited_recalls',
  'message_rollup',
];

const DAY = Math.floor(T0 / 86_400);
const query = (by: BreakdownDimension[], over: Partial<BreakdownQuery> = {}): BreakdownQuery => ({
  fromDay: DAY,
  toDay: DAY + 1,
  by: new Set(by),
  limit: 100,
  ...over,
});
const row = (over: Record<string, unknown>) => ({
  day: null,
  employeeId: null,
  msgtype: null,
  direction: null,
  ...over,
});

for (const [name, implementation] of contractImplementations<StatsStore>('stats_contract', TABLES, {
  memory: () => new MemoryStatsStore(),
  postgres: (pool) => new PgStatsStore(pool),
})) {
  describe(`StatsStore contract (${name})`, () => {
    let store: StatsStore;
    beforeAll(() => implementation.setup());
    beforeEach(async () => {
      store = await implementation.fresh();
    });
    afterAll(() => implementation.teardown());

    const day = bucketsFor(T0, T0 + 86_400).buckets;

    it('commits counters, chat states and the watermark together, once per watermark', async () => {
      const f = applyMessages(conversation(), new Map(), 8 * 3600);
      expect(await store.watermark(CORP)).toBe(0);
      expect(
        await store.commit(CORP, { expected: 0, next: 12, delta: f.delta, rollup: f.rollup, chats: f.chats }),
      ).toBe(true);
      expect(
        await store.commit(CORP, { expected: 0, next: 12, delta: f.delta, rollup: f.rollup, chats: f.chats }),
      ).toBe(false);
      expect(await store.watermark(CORP)).toBe(12);
      const s = summarizeCounters(await store.read(CORP, 'c', day));
      expect(s).toMatchObject({ messages: 12, customerMessages: 6, customerMessagesReplied: 5 });
      expect(s.reply.avg).toBe((90 + 300 + 60 + 28_800) / 4);
      expect(summarizeCounters(await store.read(CORP, `x:${X}`, day)).messages).toBe(8);
      expect(summarizeCounters(await store.read('wwOtherCorp', 'c', day)).messages).toBe(0);
    });

    it('lets one of two racing commits from the same watermark through', async () => {
      const f = applyMessages(conversation(), new Map(), 8 * 3600);
      const commit = { expected: 0, next: 12, delta: f.delta, rollup: f.rollup, chats: f.chats };
      const results = await Promise.all([store.commit(CORP, commit), store.commit(CORP, commit)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(summarizeCounters(await store.read(CORP, 'c', day)).messages).toBe(12);
      expect(await store.breakdown(CORP, query([]))).toEqual([row({ messages: 12 })]);
    });

    it('keeps chat states and the waiting-turn index', async () => {
      const f = applyMessages(conversation(), new Map(), 8 * 3600);
      await store.commit(CORP, { expected: 0, next: 12, delta: f.delta, rollup: f.rollup, chats: f.chats });
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

    it('breaks the rollup down by day, employee, message type and direction, corp rows apart from employee rows', async () => {
      const f = applyMessages(conversation(), new Map(), 8 * 3600);
      await store.commit(CORP, { expected: 0, next: 12, delta: f.delta, rollup: f.rollup, chats: f.chats });
      expect(await store.breakdown(CORP, query([]))).toEqual([row({ messages: 12 })]);
      expect(await store.breakdown(CORP, query(['DAY']))).toEqual([row({ day: DAY, messages: 12 })]);
      expect(await store.breakdown(CORP, query(['MESSAGE_TYPE']))).toEqual([
        row({ msgtype: 1, messages: 11 }),
        row({ msgtype: 2, messages: 1 }),
      ]);
      expect(await store.breakdown(CORP, query(['DIRECTION']))).toEqual([
        row({ direction: 'CUSTOMER_TO_EMPLOYEE', messages: 6 }),
        row({ direction: 'EMPLOYEE_TO_CUSTOMER', messages: 4 }),
        row({ direction: 'INTERNAL', messages: 1 }),
        row({ direction: 'OTHER', messages: 1 }),
      ]);
      // E counts in every single chat of theirs and for their own group message; E2 received one.
      expect(await store.breakdown(CORP, query(['EMPLOYEE', 'MESSAGE_TYPE', 'DAY']))).toEqual([
        row({ day: DAY, employeeId: E, msgtype: 1, messages: 9 }),
        row({ day: DAY, employeeId: E, msgtype: 2, messages: 1 }),
        row({ day: DAY, employeeId: E2, msgtype: 1, messages: 1 }),
      ]);
      expect(await store.breakdown(CORP, query(['EMPLOYEE'], { limit: 1 }))).toEqual([
        row({ employeeId: E, messages: 10 }),
      ]);
      expect(await store.breakdown(CORP, query(['DAY'], { fromDay: DAY + 1, toDay: DAY + 2 }))).toEqual([]);
      expect(await store.breakdown('wwOtherCorp', query(['DAY']))).toEqual([]);
      // Committing the same page again (a stale watermark) adds nothing.
      await store.commit(CORP, { expected: 0, next: 12, delta: f.delta, rollup: f.rollup, chats: f.chats });
      expect(await store.breakdown(CORP, query([]))).toEqual([row({ messages: 12 })]);
    });

    it('prunes buckets and rollup days that ended before the cutoff, and old recall markers', async () => {
      const f = applyMessages(conversation(), new Map(), 8 * 3600);
      await store.commit(CORP, { expected: 0, next: 12, delta: f.delta, rollup: f.rollup, chats: f.chats });
      const m = conversation()[0]!;
      await store.addRecallOnce(CORP, m.msgid, recallDelta(m));
      await store.prune(T0 + 86_400);
      // The day bucket ends exactly at the cutoff: kept; the hour buckets inside it are gone.
      expect(summarizeCounters(await store.read(CORP, 'c', day)).messages).toBe(12);
      expect(summarizeCounters(await store.read(CORP, 'c', ['h' + DAY * 24])).messages).toBe(0);
      expect(await store.breakdown(CORP, query([]))).toEqual([row({ messages: 12 })]);
      await store.prune(T0 + 86_401);
      expect(summarizeCounters(await store.read(CORP, 'c', day)).messages).toBe(0);
      expect(await store.breakdown(CORP, query([]))).toEqual([]);
      expect(await store.addRecallOnce(CORP, m.msgid, recallDelta(m))).toBe(false);
      await store.prune(Math.floor(Date.now() / 1000) + 1);
      expect(await store.addRecallOnce(CORP, m.msgid, recallDelta(m))).toBe(true);
      // Chat states and the watermark are not subject to retention.
      expect(await store.watermark(CORP)).toBe(12);
    });

    it('purges a corp', async () => {
      const f = applyMessages(conversation(), new Map(), 8 * 3600);
      await store.commit(CORP, { expected: 0, next: 12, delta: f.delta, rollup: f.rollup, chats: f.chats });
      await store.purge(CORP);
      expect(await store.watermark(CORP)).toBe(0);
      expect(summarizeCounters(await store.read(CORP, 'c', day)).messages).toBe(0);
      expect(await store.pendingTurns(CORP, 0, T0 + 86_400, 10)).toEqual([]);
      expect(await store.breakdown(CORP, query([]))).toEqual([]);
      expect(await store.chatStates(CORP, [...f.chats.keys()])).toEqual([...f.chats.keys()].map(() => null));
    });
  });
}
