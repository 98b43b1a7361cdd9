import { describe, expect, it } from 'vitest';
import { applyMessages } from '../../../src/stats/applyMessages.js';
import { bucketsFor } from '../../../src/stats/bucketsFor.js';
import { estimateQuantile, latencyBin } from '../../../src/stats/latencyHistogram.js';
import { MemoryStatsStore } from '../../../src/stats/MemoryStatsStore.js';
import type { Dimension } from '../../../src/stats/StatsStore.js';
import { summarizeCounters } from '../../../src/stats/summarizeCounters.js';
import { CORP, conversation, E, E2, GROUP, T0, X, Y } from './conversationFixture.js';

const GAP = 8 * 3600;
const HOUR = 3600;

async function folded() {
  const store = new MemoryStatsStore();
  const f = applyMessages(conversation(), new Map(), GAP);
  expect(
    await store.commit(CORP, { expected: 0, next: 12, delta: f.delta, rollup: f.rollup, chats: f.chats }),
  ).toBe(true);
  const read = async (dim: Dimension, from: number, to: number) =>
    summarizeCounters(await store.read(CORP, dim, bucketsFor(from, to).buckets));
  return { store, f, read };
}

describe('statistics math on a hand-computed conversation', () => {
  it('counts the whole day for the corp', async () => {
    const { read } = await folded();
    const s = await read('c', T0, T0 + 86_400);
    expect(s.messages).toBe(12);
    expect(s.byType).toEqual([
      { msgtype: 1, count: 11 },
      { msgtype: 2, count: 1 },
    ]);
    expect(s.byDirection).toEqual({ employeeToCustomer: 4, customerToEmployee: 6, internal: 1, other: 1 });
    // E↔X twice (start, after the 8 h gap), E↔E2 once, the group once.
    expect(s.conversationsStarted).toBe(4);
    expect(s.customerMessages).toBe(6);
    expect(s.customerMessagesReplied).toBe(5);
    expect(s.replyRate).toBeCloseTo(5 / 6, 10);
    // Reply turns 90, 300, 60, 28800; first responses 90, 60, 28800.
    expect(s.reply.count).toBe(4);
    expect(s.reply.avg).toBe((90 + 300 + 60 + 28_800) / 4);
    expect(s.firstResponse.count).toBe(3);
    expect(s.firstResponse.avg).toBe((90 + 60 + 28_800) / 3);
    // Histogram estimate: two samples in [60,120) → the median interpolates to that bin's top.
    expect(s.reply.median).toBe(120);
    expect(s.recalls).toBe(0);
  });

  it('splits by hour: replies count in the hour of the customer message they answer', async () => {
    const { read } = await folded();
    const h0 = await read('c', T0, T0 + HOUR);
    expect(h0.messages).toBe(6);
    expect(h0.customerMessages).toBe(3);
    expect(h0.customerMessagesReplied).toBe(3);
    expect(h0.replyRate).toBe(1);
    expect(h0.reply.avg).toBe((90 + 300) / 2);
    expect(h0.firstResponse.count).toBe(1);
    expect(h0.conversationsStarted).toBe(2);
    const h1 = await read('c', T0 + HOUR, T0 + 2 * HOUR);
    expect(h1.messages).toBe(4);
    expect(h1.customerMessages).toBe(2);
    expect(h1.customerMessagesReplied).toBe(2);
    expect(h1.reply.avg).toBe((60 + 28_800) / 2);
    expect(h1.firstResponse.avg).toBe((60 + 28_800) / 2);
    // Message 11 is in hour 9; its reply sample sits in hour 1 (the turn's start).
    const h9 = await read('c', T0 + 9 * HOUR, T0 + 10 * HOUR);
    expect(h9).toMatchObject({ messages: 2, customerMessages: 1, customerMessagesReplied: 0, replyRate: 0 });
    expect(h9.reply.count).toBe(0);
    expect(h9.conversationsStarted).toBe(1);
  });

  it('attributes to employees, customers and chats', async () => {
    const { read } = await folded();
    const day = [T0, T0 + 86_400] as const;
    const e = await read(`e:${E}`, ...day);
    // Sent by E, or received by E in a single chat (group traffic belongs to the chat).
    expect(e.messages).toBe(10);
    expect(e.customerMessages).toBe(5);
    expect(e.customerMessagesReplied).toBe(4);
    expect(e.reply.count).toBe(4);
    const e2 = await read(`e:${E2}`, ...day);
    expect(e2).toMatchObject({ messages: 1, customerMessages: 0, replyRate: null });
    const x = await read(`x:${X}`, ...day);
    expect(x).toMatchObject({ messages: 8, customerMessages: 5, customerMessagesReplied: 4 });
    expect(x.reply.avg).toBe((90 + 300 + 28_800) / 3);
    const y = await read(`x:${Y}`, ...day);
    expect(y).toMatchObject({ messages: 1, customerMessages: 1, customerMessagesReplied: 1 });
    expect(y.reply.avg).toBe(60);
    const group = await read(`k:${GROUP}`, ...day);
    expect(group.byDirection).toEqual({
      employeeToCustomer: 1,
      customerToEmployee: 1,
      internal: 0,
      other: 1,
    });
    expect(group.firstResponse.avg).toBe(60);
  });

  it('leaves the last customer message waiting in the chat state', async () => {
    const { f, store } = await folded();
    expect(f.closed.map((c) => c.reply.msgid)).toEqual(['m3', 'm6', 'm8', 'm11']);
    const turns = await store.pendingTurns(CORP, 0, T0 + 86_400, 10);
    expect(turns).toHaveLength(1);
    expect(turns[0]!.turn).toMatchObject({ msgid: 'm12', at: T0 + 33_000, customerId: X, kind: 'SINGLE' });
    expect(turns[0]!.turn.employeeIds).toEqual([E]);
  });

  it('gives the same answer however the messages are split into batches', async () => {
    const all = conversation();
    const store = new MemoryStatsStore();
    let watermark = 0;
    for (const batch of [all.slice(0, 2), all.slice(2, 7), all.slice(7)]) {
      const keys = [
        ...new Set(
          batch.map((m) => (m.chatId ? m.chatId : `s:${[m.sender.id, m.receivers[0]!.id].sort().join('|')}`)),
        ),
      ];
      const states = await store.chatStates(CORP, keys);
      const f = applyMessages(batch, new Map(keys.map((k, i) => [k, states[i] ?? null])), GAP);
      const next = batch.at(-1)!.seq;
      expect(
        await store.commit(CORP, {
          expected: watermark,
          next,
          delta: f.delta,
          rollup: f.rollup,
          chats: f.chats,
        }),
      ).toBe(true);
      watermark = next;
    }
    const { read } = await folded();
    const whole = await read('c', T0, T0 + 86_400);
    const split = summarizeCounters(await store.read(CORP, 'c', bucketsFor(T0, T0 + 86_400).buckets));
    expect(split).toEqual(whole);
  });

  it('refuses a commit computed from a stale watermark (a batch is counted once)', async () => {
    const { store, f } = await folded();
    expect(
      await store.commit(CORP, { expected: 0, next: 12, delta: f.delta, rollup: f.rollup, chats: f.chats }),
    ).toBe(false);
    const s = summarizeCounters(await store.read(CORP, 'c', bucketsFor(T0, T0 + 86_400).buckets));
    expect(s.messages).toBe(12);
  });
});

describe('bucketsFor', () => {
  it('uses day buckets inside the window and hour buckets at the edges', () => {
    const h0 = T0 / HOUR;
    const d0 = T0 / 86_400;
    expect(bucketsFor(T0 + 1800, T0 + 2 * 86_400 + 5400)).toEqual({
      from: T0,
      to: T0 + 50 * HOUR,
      buckets: [`d${d0}`, `d${d0 + 1}`, `h${h0 + 48}`, `h${h0 + 49}`],
    });
    const plan = bucketsFor(T0 + HOUR, T0 + 86_400 + HOUR);
    expect(plan.buckets).toEqual(Array.from({ length: 24 }, (_, i) => `h${h0 + 1 + i}`));
  });

  it('sums across a day edge the same through hours or days', async () => {
    const { read } = await folded();
    // Messages 11 and 12 sit in hour 9; nothing after.
    const viaHours = await read('c', T0 + 9 * HOUR, T0 + 30 * HOUR);
    const viaDay = await read('c', T0, T0 + 86_400);
    const before = await read('c', T0, T0 + 9 * HOUR);
    expect(viaHours.messages + before.messages).toBe(viaDay.messages);
    expect(viaHours.messages).toBe(2);
  });
});

describe('latency histogram', () => {
  it('bins by upper edge and estimates quantiles by interpolation', () => {
    expect(latencyBin(0)).toBe(0);
    expect(latencyBin(10)).toBe(1);
    expect(latencyBin(86_399)).toBe(11);
    expect(latencyBin(86_400)).toBe(12);
    const bins = Array(13).fill(0) as number[];
    bins[3] = 2; // [60,120)
    bins[5] = 1; // [300,600)
    bins[11] = 1; // [28800,86400)
    expect(estimateQuantile(bins, 0.5)).toBe(120);
    expect(estimateQuantile(bins, 0.25)).toBe(90);
    expect(estimateQuantile(bins, 0.9)).toBe(86_400);
    expect(estimateQuantile(Array(13).fill(0), 0.5)).toBeNull();
    const open = Array(13).fill(0) as number[];
    open[12] = 3;
    expect(estimateQuantile(open, 0.5)).toBe(86_400);
  });
});
