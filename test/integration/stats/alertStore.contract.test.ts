import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AlertStore, ReplyAlert } from '../../../src/alerts/AlertStore.js';
import { MemoryAlertStore } from '../../../src/alerts/MemoryAlertStore.js';
import { PgAlertStore } from '../../../src/alerts/PgAlertStore.js';
import { contractImplementations } from '../../helpers/migratedSchema.js';

const CORP = 'wwcorpAlerts';

function alert(id: string, chatKey: string, over: Partial<ReplyAlert> = {}): Omit<ReplyAlert, 'seq'> {
  return {
    corpId: CORP,
    id,
    ruleId: 'r1',
    ruleName: 'five',
    minutes: 5,
    chatKey,
    chatKind: 'GROUP',
    chatId: chatKey,
    parties: [],
    customerMsgid: `msg-${id}`,
    customerId: 'wmC',
    customerSentAt: 1_712_534_400,
    openedAt: 1_712_534_700_000,
    status: 'OPEN',
    resolvedAt: null,
    resolvedBy: null,
    ...over,
  };
}

for (const [name, implementation] of contractImplementations<AlertStore>(
  'alert_contract',
  ['alert_rules', 'alert_seqs', 'reply_alerts'],
  {
    memory: () => new MemoryAlertStore(),
    postgres: (pool) => new PgAlertStore(pool),
  },
)) {
  describe(`AlertStore contract (${name})`, () => {
    let store: AlertStore;
    beforeAll(() => implementation.setup());
    beforeEach(async () => {
      store = await implementation.fresh();
    });
    afterAll(() => implementation.teardown());

    it('stores, lists, updates and deletes rules per corp', async () => {
      const rule = {
        corpId: CORP,
        id: 'r1',
        name: 'five',
        chatKind: 'SINGLE' as const,
        minutes: 5,
        employeeIds: null,
        enabled: true,
        createdAt: 2,
        updatedAt: 2,
      };
      await store.putRule(rule);
      await store.putRule({ ...rule, id: 'r0', createdAt: 1 });
      expect((await store.listRules(CORP)).map((r) => r.id)).toEqual(['r0', 'r1']);
      await store.putRule({ ...rule, minutes: 9 });
      expect(await store.getRule(CORP, 'r1')).toEqual({ ...rule, minutes: 9 });
      expect(await store.listRules('wwOther')).toEqual([]);
      expect(await store.deleteRule(CORP, 'r1')).toBe(true);
      expect(await store.deleteRule(CORP, 'r1')).toBe(false);
      expect(await store.getRule(CORP, 'r1')).toBeNull();
    });

    it('opens an alert once, and resolves the open alerts of a chat once', async () => {
      const first = await store.open(alert('a1', 'wrG1'));
      expect(first).toMatchObject({ id: 'a1', seq: 1, status: 'OPEN' });
      expect(await store.open(alert('a1', 'wrG1'))).toBeNull();
      await store.open(alert('a2', 'wrG2'));
      await store.open(alert('a3', 'wrG1', { ruleId: 'r2' }));
      const by = { msgid: 'reply', employeeId: 'woE', sentAt: 1_712_534_999 };
      const resolved = await store.resolveChat(CORP, 'wrG1', 1_712_535_000_000, by);
      expect(resolved.map((a) => [a.id, a.seq, a.status, a.resolvedBy?.msgid])).toEqual([
        ['a1', 1, 'RESOLVED', 'reply'],
        ['a3', 3, 'RESOLVED', 'reply'],
      ]);
      expect(await store.resolveChat(CORP, 'wrG1', 1_712_535_001_000, null)).toEqual([]);
      expect((await store.openAlerts(CORP, 10)).map((a) => a.id)).toEqual(['a2']);
      // Reopening a resolved alert's key is still a no-op.
      expect(await store.open(alert('a1', 'wrG1'))).toBeNull();
      expect(resolved[0]).toEqual({
        ...alert('a1', 'wrG1'),
        seq: 1,
        status: 'RESOLVED',
        resolvedAt: 1_712_535_000_000,
        resolvedBy: by,
      });
    });

    it('opens an alert once when replicas race, with seqs in a row', async () => {
      const raced = await Promise.all([1, 2, 3, 4].map(() => store.open(alert('same', 'wrG1'))));
      expect(raced.filter((a) => a !== null)).toHaveLength(1);
      expect((await store.open(alert('next', 'wrG1')))?.seq).toBe(2);
      const other = { ...alert('same', 'wrG1'), corpId: 'wwOther' };
      expect((await store.open(other))?.seq).toBe(1);
      await store.purge(CORP);
      expect((await store.list('wwOther', 'ALL', 10)).items.map((a) => a.id)).toEqual(['same']);
    });

    it('pages newest first by status', async () => {
      for (let i = 1; i <= 5; i++) await store.open(alert(`a${i}`, `wrG${i % 2}`));
      await store.resolveChat(CORP, 'wrG0', 1, null);
      const all = await store.list(CORP, 'ALL', 2);
      expect(all.items.map((a) => a.id)).toEqual(['a5', 'a4']);
      expect(all.hasMore).toBe(true);
      const next = await store.list(CORP, 'ALL', 10, all.items.at(-1)!.seq);
      expect(next.items.map((a) => a.id)).toEqual(['a3', 'a2', 'a1']);
      expect(next.hasMore).toBe(false);
      expect((await store.list(CORP, 'OPEN', 10)).items.map((a) => a.id)).toEqual(['a5', 'a3', 'a1']);
      const done = await store.list(CORP, 'RESOLVED', 10);
      expect(done.items.map((a) => [a.id, a.status])).toEqual([
        ['a4', 'RESOLVED'],
        ['a2', 'RESOLVED'],
      ]);
      await store.putRule({
        corpId: CORP,
        id: 'r1',
        name: 'five',
        chatKind: 'GROUP',
        minutes: 5,
        employeeIds: null,
        enabled: true,
        createdAt: 1,
        updatedAt: 1,
      });
      await store.purge(CORP);
      expect((await store.list(CORP, 'ALL', 10)).items).toEqual([]);
      expect(await store.listRules(CORP)).toEqual([]);
      // Seqs start again after a purge.
      expect((await store.open(alert('a9', 'wrG1')))?.seq).toBe(1);
    });
  });
}
