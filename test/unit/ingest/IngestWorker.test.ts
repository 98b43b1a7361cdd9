import { describe, expect, it } from 'vitest';
import type { CallbackEvent } from '../../../src/callbacks/CallbackEvent.js';
import { UpstreamBlockedError } from '../../../src/datasources/CircuitBreaker.js';
import { WecomError } from '../../../src/datasources/WecomError.js';
import type { CorpSyncer } from '../../../src/ingest/CorpSyncer.js';
import { IngestWorker, type IngestWorkerOptions } from '../../../src/ingest/IngestWorker.js';
import { MemoryInbox } from '../../../src/ingest/MemoryInbox.js';
import type { SyncStateStore } from '../../../src/ingest/SyncStateStore.js';
import { waitFor } from '../../helpers/waitFor.js';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent } as never;
const event = {
  InfoType: 'conversation_new_message',
  SuiteId: 'suite',
  AuthCorpId: 'ww1',
  Token: 'tok',
  TimeStamp: 1,
} as CallbackEvent;

/** A worker on a memory inbox whose syncer fails with `failures` in turn, then succeeds. */
function workerWith(failures: Error[]) {
  const inbox = new MemoryInbox(20);
  const calls: string[] = [];
  const syncer = {
    async sync(corpId: string) {
      calls.push(corpId);
      const failure = failures.shift();
      if (failure) throw failure;
      return { ran: true, pages: 1, added: 1 };
    },
  } as unknown as CorpSyncer;
  const syncState = { async noteCallback() {} } as unknown as SyncStateStore;
  const worker = new IngestWorker({
    inbox,
    syncer,
    syncState,
    logger: silent,
    consumer: 'test',
    concurrency: 1,
    maxDeliveries: 5,
  } as unknown as IngestWorkerOptions);
  return { inbox, worker, calls };
}

describe('IngestWorker redelivery', () => {
  it('keeps an event that hit a 45009 window and syncs again once it comes back', async () => {
    const blocked = new UpstreamBlockedError('blocked', {
      code: 'RATE_LIMITED',
      path: '/cgi-bin/chatdata/sync_msg',
      retryAfterMs: 1000,
    });
    const { inbox, worker, calls } = workerWith([blocked, blocked]);
    await inbox.push({ event, receivedAt: Date.now() });
    worker.start();
    await waitFor('synced after two refusals', async () => calls.length === 3 && (await inbox.depth()) === 0);
    await worker.stop();
  });

  it('drops an event whose failure will not change by retrying', async () => {
    const refused = new WecomError('bad', {
      code: 'UPSTREAM_ERROR',
      path: '/cgi-bin/chatdata/sync_msg',
      errcode: 40058,
      httpStatus: 200,
      retryable: false,
      hint: null,
    });
    const { inbox, worker, calls } = workerWith([refused]);
    await inbox.push({ event, receivedAt: Date.now() });
    worker.start();
    await waitFor('acked', async () => (await inbox.depth()) === 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await worker.stop();
    expect(calls).toEqual(['ww1']);
  });
});
