import { describe, expect, it } from 'vitest';
import { MemoryAlertStore } from '../../../src/alerts/MemoryAlertStore.js';
import { ReplyAlertEvaluator } from '../../../src/alerts/ReplyAlertEvaluator.js';
import { MemoryKeyValueStore } from '../../../src/datasources/store/memory/MemoryKeyValueStore.js';
import { MemoryMessageIndex } from '../../../src/datasources/store/memory/MemoryMessageIndex.js';
import type { CorpRecord, CorpRegistry } from '../../../src/datasources/store/ports.js';
import { EventBus } from '../../../src/ingest/EventBus.js';
import { RecallListener } from '../../../src/ingest/RecallListener.js';
import { silentLogger } from '../../../src/logging/Logger.js';
import { MemoryStatsStore } from '../../../src/stats/MemoryStatsStore.js';
import { StatsAggregator } from '../../../src/stats/StatsAggregator.js';
import { waitFor } from '../../helpers/waitFor.js';
import { CORP, conversation, E, T0, X } from './conversationFixture.js';

const corps: CorpRegistry = {
  list: async () => [{ corpId: CORP, status: 'ACTIVE' } as CorpRecord],
  get: async () => null,
  upsert: async () => {},
  getPermanentCode: async () => null,
  remove: async () => {},
};

function setup() {
  const index = new MemoryMessageIndex();
  const store = new MemoryStatsStore();
  const kv = new MemoryKeyValueStore();
  const alertStore = new MemoryAlertStore();
  const bus = new EventBus({ redis: null, prefix: 'unit:' });
  const alerts = new ReplyAlertEvaluator({
    alerts: alertStore,
    stats: store,
    corps,
    publish: (event) => bus.publish('replyAlert', event.corpId, event),
    logger: silentLogger,
    intervalMs: 60_000,
    now: () => 0,
  });
  const replica = (owner: string, nowMs: () => number) =>
    new StatsAggregator({
      store,
      index,
      kv,
      corps,
      logger: silentLogger,
      owner,
      leaseMs: 5000,
      conversationGapS: 8 * 3600,
      pageSize: 5,
      onCommitted: (corpId, closed) => alerts.resolveAnswered(corpId, closed, nowMs()),
    });
  return { index, store, alertStore, alerts, bus, replica };
}

const strip = ({ seq: _seq, ...m }: ReturnType<typeof conversation>[number]) => m;

describe('StatsAggregator', () => {
  it('folds the index once, however many replicas and triggers run', async () => {
    const { index, store, replica } = setup();
    await index.append(CORP, conversation().map(strip));
    const a = replica('a', () => 0);
    const b = replica('b', () => 0);
    await Promise.all([a.catchUp(CORP), b.catchUp(CORP), a.catchUp(CORP)]);
    await b.catchUp(CORP);
    expect(await store.watermark(CORP)).toBe(12);
    const s = await a.statistics(CORP, 'c', T0, T0 + 86_400);
    expect(s.messages).toBe(12);
    expect(s.customerMessagesReplied).toBe(5);
    expect(s.reply.count).toBe(4);
  });

  it('backfills what was indexed before it started, then picks up new batches', async () => {
    const { index, store, replica } = setup();
    const all = conversation().map(strip);
    await index.append(CORP, all.slice(0, 6));
    const a = replica('a', () => 0);
    await a.start();
    expect(await store.watermark(CORP)).toBe(6);
    await index.append(CORP, all.slice(6));
    await a.catchUp(CORP);
    expect((await a.statistics(CORP, 'c', T0, T0 + 86_400)).messages).toBe(12);
  });
});

describe('ReplyAlertEvaluator (injected clock)', () => {
  it('opens once when the deadline passes, and an employee reply resolves it', async () => {
    const { index, alertStore, alerts, bus, replica } = setup();
    const all = conversation().map(strip);
    const events: string[] = [];
    const live = bus.subscribe('replyAlert', CORP);
    const reading = (async () => {
      for await (const e of live) events.push(`${e.change}:${e.alert.customerMsgid}`);
    })();
    await alertStore.putRule({
      corpId: CORP,
      id: 'r1',
      name: 'five minutes',
      chatKind: 'SINGLE',
      minutes: 5,
      employeeIds: [E],
      enabled: true,
      createdAt: (T0 + 3900) * 1000,
      updatedAt: 0,
    });
    const a = replica('a', () => (T0 + 32_800) * 1000);
    // Up to message 10 (X waits since T0+4000).
    await index.append(CORP, all.slice(0, 10));
    await a.catchUp(CORP);
    expect(await alerts.evaluate((T0 + 4000 + 299) * 1000)).toEqual([]);
    const opened = await alerts.evaluate((T0 + 4300) * 1000);
    expect(opened.map((o) => [o.customerMsgid, o.customerId, o.status])).toEqual([['m10', X, 'OPEN']]);
    // Every replica's timer races on the same deadline: nothing opens twice.
    expect(await alerts.evaluate((T0 + 4400) * 1000)).toEqual([]);
    await index.append(CORP, all.slice(10));
    await a.catchUp(CORP);
    const page = await alertStore.list(CORP, 'ALL', 10);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      status: 'RESOLVED',
      resolvedBy: { msgid: 'm11', employeeId: E, sentAt: T0 + 32_800 },
    });
    // Message 12 waits from T0+33000; a rule for another employee does not fire.
    await alertStore.putRule({ ...(await alertStore.getRule(CORP, 'r1'))!, employeeIds: ['woSomeoneElse'] });
    expect(await alerts.evaluate((T0 + 40_000) * 1000)).toEqual([]);
    await live.return?.();
    await reading;
    expect(events).toEqual(['OPENED:m10', 'RESOLVED:m10']);
  });
});

describe('RecallListener', () => {
  it('counts a RECALL hit once, and a hit that beat its message once the message is indexed', async () => {
    const { index, replica, bus } = setup();
    const all = conversation().map(strip);
    await index.append(CORP, all.slice(0, 3));
    const a = replica('a', () => 0);
    await a.catchUp(CORP);
    const listener = new RecallListener({ bus, corps, stats: a, logger: silentLogger });
    await listener.start();
    const hit = (msgid: string, semantics: number[]) =>
      bus.publish('keywordHit', CORP, {
        corpId: CORP,
        msgid,
        rules: [{ ruleId: 'k', hasHitKeyword: false, semantics }],
        sendTime: null,
      });
    const recalls = async () => (await a.statistics(CORP, 'c', T0, T0 + 86_400)).recalls;
    hit('m1', [6]);
    hit('m1', [6]);
    hit('m2', [2]);
    await waitFor('the recall counted', async () => (await recalls()) === 1);
    hit('m5', [6]);
    await waitFor('the early recall remembered', async () =>
      (await a.store.awaitedRecalls(CORP)).includes('m5'),
    );
    await index.append(CORP, all.slice(3));
    await a.catchUp(CORP);
    expect(await recalls()).toBe(2);
    expect(await a.store.awaitedRecalls(CORP)).toEqual([]);
    expect((await a.statistics(CORP, `x:${X}`, T0, T0 + 86_400)).recalls).toBe(2);
    await listener.stop();
  });
});
