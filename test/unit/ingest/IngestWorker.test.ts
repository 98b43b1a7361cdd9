import { describe, expect, it } from 'vitest';
import type { CallbackEvent } from '../../../src/callbacks/CallbackEvent.js';
import type { AuthEvents } from '../../../src/datasources/corps/ports.js';
import type { CorpRecord, EventFailure } from '../../../src/datasources/store/ports.js';
import { SuiteTicketMissingError } from '../../../src/datasources/wecom/awaitsSuiteTicket.js';
import { UpstreamBlockedError } from '../../../src/datasources/wecom/CircuitBreaker.js';
import { WecomError } from '../../../src/datasources/wecom/WecomError.js';
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

const upstream = (
  code: WecomError['code'],
  errcode: number | null,
  retryable: boolean,
  path = '/cgi-bin/chatdata/sync_msg',
) =>
  new WecomError(`${code} ${errcode}`, {
    code,
    path,
    errcode,
    httpStatus: 200,
    retryable,
    hint: null,
  });

const authorizedCorp: CorpRecord = {
  corpId: 'ww1',
  name: null,
  status: 'ACTIVE',
  authorizedAt: 0,
  cancelledAt: null,
  publicKeyVersion: null,
};

/** Auth events that record what the worker tells them (a port, not the module under test). */
function recordingAuth(name: string, log: string[]): AuthEvents & { failures: EventFailure[] } {
  const failures: EventFailure[] = [];
  return {
    failures,
    createAuth: async (code) => {
      log.push(`${name}.createAuth ${code}`);
      return authorizedCorp;
    },
    resetPermanentCode: async (code) => {
      log.push(`${name}.reset ${code}`);
      return authorizedCorp;
    },
    changeAuth: async (corpId) => void log.push(`${name}.changeAuth ${corpId}`),
    cancelAuth: async (corpId) => {
      log.push(`${name}.cancelAuth ${corpId}`);
      return null;
    },
    archiveExpired: async (corpId, expiry) =>
      void log.push(`${name}.expired ${corpId} ${JSON.stringify(expiry)}`),
    recordEventFailure: async (_corpId, failure) => void failures.push(failure),
    markIfOrphan: async () => false,
    recheckCancels: async () => [],
  };
}

/**
 * A worker on a memory inbox whose syncer (and the archive app's createAuth) fails with
 * `failures` in turn, then succeeds.
 */
function workerWith(failures: Error[]) {
  const inbox = new MemoryInbox(20);
  const calls: string[] = [];
  const log: string[] = [];
  const gaveUp: string[] = [];
  const syncer = {
    async sync(corpId: string) {
      calls.push(corpId);
      const failure = failures.shift();
      if (failure) throw failure;
      return { ran: true, pages: 1, added: 1 };
    },
  } as unknown as CorpSyncer;
  const syncState = { async noteCallback() {} } as unknown as SyncStateStore;
  const auth = recordingAuth('archive', log);
  const createAuth = auth.createAuth;
  auth.createAuth = async (code) => {
    calls.push(`createAuth ${code}`);
    const failure = failures.shift();
    if (failure) throw failure;
    return createAuth(code);
  };
  const displayAuth = recordingAuth('display', log);
  const worker = new IngestWorker({
    inbox,
    syncer,
    syncState,
    auth,
    displayAuth,
    displaySuiteId: 'wwdisplay',
    onGiveUp: (infoType: string, code: string) => gaveUp.push(`${infoType} ${code}`),
    logger: silent,
    consumer: 'test',
    concurrency: 1,
    maxDeliveries: 5,
  } as unknown as IngestWorkerOptions);
  return { inbox, worker, calls, auth, displayAuth, log, gaveUp };
}

describe('IngestWorker redelivery', () => {
  // Issue 11: two 45009s on get_permanent_code blocked onboarding and the create_auth event was
  // dropped after 5 deliveries. A transient answer never drops an event, however many times.
  it('keeps an event through more transient failures than maxDeliveries, then syncs', async () => {
    const blocked = new UpstreamBlockedError('blocked', {
      code: 'RATE_LIMITED',
      path: '/cgi-bin/chatdata/sync_msg',
      retryAfterMs: 1000,
    });
    const transient = [
      blocked,
      upstream('RATE_LIMITED', 45009, false),
      upstream('UPSTREAM_ERROR', 45033, true),
      upstream('UPSTREAM_ERROR', -1, true),
      upstream('UPSTREAM_TIMEOUT', null, true),
      upstream('UPSTREAM_UNAVAILABLE', null, true),
      upstream('UPSTREAM_OUTCOME_UNKNOWN', null, false),
    ];
    const { inbox, worker, calls, gaveUp } = workerWith(transient);
    await inbox.push({ event, receivedAt: Date.now() });
    worker.start();
    await waitFor(
      'synced after seven refusals',
      async () => calls.length === 8 && (await inbox.depth()) === 0,
    );
    await worker.stop();
    expect(gaveUp).toEqual([]);
  });

  // Issue 11's audit: a create_auth before any suite_ticket (or with a stale one, 40085) was
  // given up on its first delivery, while authorizations are promised to wait for the ticket.
  it('keeps a create_auth while the suite has no ticket or a stale one (40085), then redeems it', async () => {
    const tokenPath = '/cgi-bin/service/get_suite_token';
    const { inbox, worker, calls, log, gaveUp } = workerWith([
      new SuiteTicketMissingError(tokenPath, 'suite'),
      new SuiteTicketMissingError(tokenPath, 'suite'),
      upstream('UPSTREAM_ERROR', 40085, false, tokenPath),
      new SuiteTicketMissingError(tokenPath, 'suite'),
      upstream('UPSTREAM_ERROR', 40085, false, tokenPath),
      upstream('UPSTREAM_ERROR', 40085, false, tokenPath),
    ]);
    await inbox.push({
      event: { InfoType: 'create_auth', SuiteId: 'suite', AuthCode: 'early', TimeStamp: 1 },
      receivedAt: Date.now(),
    });
    worker.start();
    await waitFor('redeemed after six deliveries without a usable ticket', async () =>
      log.includes('archive.createAuth early'),
    );
    await waitFor('acked', async () => (await inbox.depth()) === 0);
    await worker.stop();
    expect(calls).toHaveLength(7);
    expect(gaveUp).toEqual([]);
  });

  it('gives up on a create_auth whose code expired while it waited (40078), counted', async () => {
    const { inbox, worker, calls, gaveUp } = workerWith([
      new SuiteTicketMissingError('/cgi-bin/service/get_suite_token', 'suite'),
      upstream('UPSTREAM_ERROR', 40078, false, '/cgi-bin/service/get_permanent_code'),
    ]);
    await inbox.push({
      event: { InfoType: 'create_auth', SuiteId: 'suite', AuthCode: 'late', TimeStamp: 1 },
      receivedAt: Date.now(),
    });
    worker.start();
    await waitFor('acked', async () => (await inbox.depth()) === 0);
    await worker.stop();
    expect(calls).toEqual(['createAuth late', 'createAuth late']);
    expect(gaveUp).toEqual(['create_auth UPSTREAM_ERROR']);
  });

  it('gives up on a create_auth still without a ticket after its code can only have expired (15 min)', async () => {
    const { inbox, worker, calls, gaveUp } = workerWith([
      new SuiteTicketMissingError('/cgi-bin/service/get_suite_token', 'suite'),
      new SuiteTicketMissingError('/cgi-bin/service/get_suite_token', 'suite'),
    ]);
    await inbox.push({
      event: { InfoType: 'create_auth', SuiteId: 'suite', AuthCode: 'stale', TimeStamp: 1 },
      receivedAt: Date.now() - 15 * 60_000 - 1,
    });
    worker.start();
    await waitFor('acked', async () => (await inbox.depth()) === 0);
    await worker.stop();
    expect(calls).toEqual(['createAuth stale']);
    expect(gaveUp).toEqual(['create_auth UPSTREAM_ERROR']);
  });

  it('gives up at once on a failure for good, visible on the corp and in metrics', async () => {
    const { inbox, worker, calls, auth, gaveUp } = workerWith([upstream('UPSTREAM_ERROR', 40058, false)]);
    await inbox.push({ event, receivedAt: Date.now() });
    worker.start();
    await waitFor('acked', async () => (await inbox.depth()) === 0);
    await worker.stop();
    expect(calls).toEqual(['ww1']);
    expect(gaveUp).toEqual(['conversation_new_message UPSTREAM_ERROR']);
    expect(auth.failures).toEqual([
      {
        infoType: 'conversation_new_message',
        code: 'UPSTREAM_ERROR',
        message: 'UPSTREAM_ERROR 40058',
        at: expect.any(Number),
      },
    ]);
  });

  it('gives up on a non-upstream failure (a bug) after maxDeliveries', async () => {
    const bugs = Array.from({ length: 5 }, () => new TypeError('boom'));
    const { inbox, worker, calls, gaveUp } = workerWith(bugs);
    await inbox.push({ event, receivedAt: Date.now() });
    worker.start();
    await waitFor('acked', async () => (await inbox.depth()) === 0);
    await worker.stop();
    expect(calls).toHaveLength(5);
    expect(gaveUp).toEqual(['conversation_new_message INTERNAL']);
  });
});

describe('IngestWorker routing', () => {
  it("routes the display app's authorization events to its own onboarding, the rest to the archive's", async () => {
    const { worker, log } = workerWith([]);
    await worker.process({ InfoType: 'create_auth', SuiteId: 'wwdisplay', AuthCode: 'd1', TimeStamp: 1 });
    await worker.process({ InfoType: 'create_auth', SuiteId: 'suite', AuthCode: 'a1', TimeStamp: 1 });
    await worker.process({ InfoType: 'cancel_auth', SuiteId: 'wwdisplay', AuthCorpId: 'ww1', TimeStamp: 1 });
    await worker.process({
      InfoType: 'trial_expired',
      AuthCorpId: 'ww1',
      'ChatArchiveApi.Edition': 2,
      TimeStamp: 1712540000,
    });
    expect(log).toEqual([
      'display.createAuth d1',
      'archive.createAuth a1',
      'display.cancelAuth ww1',
      'archive.expired ww1 {"kind":"TRIAL","edition":2,"at":1712540000000}',
    ]);
  });

  // After an authorization was lost, an event for an unknown corp lists it for a reset; the
  // reset_permanent_code itself must still reach the onboarding, or the repair could never happen.
  it('marks an orphan on its events but lets reset_permanent_code through', async () => {
    const { worker, auth, log, calls } = workerWith([]);
    auth.markIfOrphan = async (corpId) => {
      log.push(`marked ${corpId}`);
      return true;
    };
    await worker.process(event);
    await worker.process({
      InfoType: 'reset_permanent_code',
      SuiteId: 'suite',
      AuthCorpId: 'ww1',
      AuthCode: 'r1',
    });
    expect(log).toEqual(['marked ww1', 'archive.reset r1']);
    expect(calls).toEqual([]);
  });
});
