import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectExactlyOnce, simulatorMsgids } from '../../helpers/archiveCheck.js';
import { type Stack, startStack } from '../../helpers/startStack.js';
import { waitFor } from '../../helpers/waitFor.js';

const SYNC_MSG = '/cgi-bin/chatdata/sync_msg';

type Syncer = Stack['app']['ingest']['syncer'];

/**
 * A sync run by the test itself. The gateway's own workers sync the same corp (callbacks, the
 * watchdog, a follower of an earlier failed run) and may hold the lease at that moment; a call
 * that finds it taken leaves its request to the holder and returns `ran: false`, so try again.
 */
async function syncOwnRun(syncer: Syncer, corpId: string) {
  let outcome: Awaited<ReturnType<Syncer['sync']>> | undefined;
  await waitFor('a sync run of our own', async () => {
    outcome = await syncer.sync(corpId, 'test');
    return outcome.ran;
  });
  return outcome!;
}

for (const store of ['memory', 'redis'] as const) {
  describe(`the sync loop (${store} coordination)`, () => {
    let stack: Stack;
    let corpId: string;

    beforeAll(async () => {
      stack = await startStack({
        redis: store === 'redis',
        env: { SYNC_PAGE_LIMIT: '100' },
        // Token-less catch-up pages are limited upstream; the test drives many of them.
        sim: { tokenlessSyncPerMinute: 1000 },
      });
      corpId = stack.corps[0]!.corpId;
      await waitFor('backlog indexed', async () => {
        const expected = simulatorMsgids(stack.sim, corpId).length;
        return (await stack.app.ingest.index.lastSeq(corpId)) === expected;
      });
    });
    afterAll(async () => stack?.stop());

    it('archives the whole backlog exactly once, in the upstream order', async () => {
      for (const corp of stack.corps) {
        await waitFor(`backlog of ${corp.corpId}`, async () => {
          const expected = simulatorMsgids(stack.sim, corp.corpId).length;
          return (await stack.app.ingest.index.lastSeq(corp.corpId)) === expected;
        });
        await expectExactlyOnce(stack.app.ingest.index, stack.sim, corp.corpId);
      }
    });

    it('survives an upstream failure between pages: the checkpoint holds, the next run completes, nothing doubles', async () => {
      const { index, syncState, syncer } = stack.app.ingest;
      const before = await index.lastSeq(corpId);
      // Slow pages, so the failure can be injected after the first page is checkpointed.
      await stack.simPost('/__sim/faults', { path: SYNC_MSG, delayMs: 150 });
      await stack.simPost('/__sim/messages', { corpId, count: 350 });
      await waitFor('the first page indexed', async () => (await index.lastSeq(corpId)) >= before + 100);
      await fetch(`${stack.simUrl}/__sim/faults`, { method: 'DELETE' });
      await stack.simPost('/__sim/faults', { path: SYNC_MSG, errcode: -1, times: 50 });
      await waitFor('the failure recorded', async () => (await syncState.read(corpId)).lastError !== null);
      const stuck = await index.lastSeq(corpId);
      expect(stuck).toBeLessThan(before + 350);
      expect((await syncState.read(corpId)).lastError?.code).toBe('UPSTREAM_ERROR');

      await fetch(`${stack.simUrl}/__sim/faults`, { method: 'DELETE' });
      await syncOwnRun(syncer, corpId);
      expect(await index.lastSeq(corpId)).toBe(before + 350);
      expect((await syncState.read(corpId)).lastError).toBeNull();
      await expectExactlyOnce(index, stack.sim, corpId);
    });

    it('drops a rejected callback token and continues token-less', async () => {
      const { index, syncState, syncer } = stack.app.ingest;
      const created = await stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId, count: 3 });
      await waitFor('messages indexed', async () => (await index.get(corpId, created.msgids[2]!)) !== null);
      await syncState.noteCallback(corpId, 'a-token-upstream-never-issued', Date.now());
      await syncOwnRun(syncer, corpId);
      expect(await syncState.token(corpId)).toBeNull();
      expect((await syncState.read(corpId)).lastError).toBeNull();
      await expectExactlyOnce(index, stack.sim, corpId);
    });

    it('runs one loop per corp: concurrent requests coalesce and never double a page', async () => {
      const { index, syncer } = stack.app.ingest;
      // Quiet first: nothing left to sync and no background run holding the lease.
      await syncOwnRun(syncer, corpId);
      await stack.simPost('/__sim/stats/reset');
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => syncer.sync(corpId, 'test')));
      expect(outcomes.filter((o) => o.ran).length).toBeGreaterThanOrEqual(1);
      const { calls } = await stack.simGet<{ calls: Record<string, number> }>('/__sim/stats');
      // 20 requests at once: the holder drains, then at most one more pass for requests that arrived meanwhile.
      expect(calls[SYNC_MSG] ?? 0).toBeLessThanOrEqual(2);
      await expectExactlyOnce(index, stack.sim, corpId);
    });
  });
}
