import type { ArchiveExpiryEvent, CallbackEvent } from '../callbacks/CallbackEvent.js';
import type { AuthEvents } from '../datasources/corps/ports.js';
import type { TaskStore } from '../datasources/store/ports.js';
import { awaitsSuiteTicket } from '../datasources/wecom/awaitsSuiteTicket.js';
import type { WecomApi } from '../datasources/wecom/ports.js';
import { WecomError } from '../datasources/wecom/WecomError.js';
import type { Logger } from '../logging/Logger.js';
import { continueTrace } from '../tracing/inboxTrace.js';
import type { CorpSyncer } from './CorpSyncer.js';
import type { EventBus } from './EventBus.js';
import type { HitSyncer } from './HitSyncer.js';
import type { Inbox, InboxEntry } from './Inbox.js';
import { refreshExportTask } from './refreshExportTask.js';
import type { SyncStateStore } from './SyncStateStore.js';

export type IngestWorkerOptions = {
  inbox: Inbox;
  syncer: CorpSyncer;
  hitSyncer: HitSyncer;
  syncState: SyncStateStore;
  hitState: SyncStateStore;
  bus: EventBus;
  api: WecomApi;
  tasks: TaskStore;
  /** The archive app's authorization events, queued by the callback receiver and redeemed here. */
  auth: AuthEvents;
  /** The display app's (events whose SuiteId is `displaySuiteId`). */
  displayAuth?: AuthEvents;
  displaySuiteId?: string;
  /** Told about every event given up on (metrics). */
  onGiveUp?: (infoType: string, code: string) => void;
  logger: Logger;
  /** Consumer name: unique per process. */
  consumer: string;
  concurrency: number;
  /**
   * A failure that is not an upstream answer (a bug, a store error) is retried this many
   * deliveries, then given up, so one poison event cannot wedge a worker. Default 5.
   */
  maxDeliveries?: number;
  now?: () => number;
};

/**
 * Whether an upstream failure may succeed when the event is delivered again: 45009 (or the
 * fail-fast window it opened: WeCom lifts it 60 s after the hit), 45033, -1, timeouts, 5xx,
 * an open circuit, a state-changing call whose outcome is unknown (the handlers reconcile it on
 * the next delivery), and the suite's ticket missing or stale (40085: the next push, within 10
 * minutes, clears it; a create_auth that came before any ticket waits for it, and an auth code
 * that expired meanwhile then answers 40078, a failure for good). Such an event is never
 * dropped: it stays unacked and comes back after the inbox's redelivery delay until it succeeds
 * or fails for good (issue 11, point 6).
 */
function isTransient(error: WecomError): boolean {
  return (
    error.retryable ||
    error.code === 'RATE_LIMITED' ||
    error.code === 'UPSTREAM_OUTCOME_UNKNOWN' ||
    awaitsSuiteTicket(error)
  );
}

/**
 * An auth code lives 10 minutes upstream (docs/upstream.md §4.2): an authorization event that
 * waited this long for a suite_ticket can only be refused as expired (40078) once one arrives, so
 * it fails for good now, visibly, instead of waiting on. Five minutes of margin for queueing.
 */
const AUTH_CODE_WAIT_MS = 15 * 60_000;

const EXPIRY_KINDS = {
  advanced_api_expired: 'PAID',
  trial_expired: 'TRIAL',
  advanced_api_trial_expired: 'TRIAL',
} as const;

/**
 * Takes verified callback events from the durable inbox and acts on them; an entry is acked
 * only after its work finished or failed for good, so a crash hands it to another worker.
 */
export class IngestWorker {
  readonly #o: IngestWorkerOptions;
  readonly #now: () => number;
  #running = false;
  #loops: Promise<void>[] = [];

  constructor(options: IngestWorkerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loops = Array.from({ length: this.#o.concurrency }, (_, i) =>
      this.#loop(`${this.#o.consumer}-${i}`),
    );
  }

  /** Stops taking entries and waits for in-flight ones (their acks included). */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  async #loop(consumer: string): Promise<void> {
    while (this.#running) {
      let entries: InboxEntry[];
      try {
        // One entry per loop: `concurrency` loops work on different events at once (a slow
        // create_auth or sync never holds up the events queued behind it in the same batch).
        entries = await this.#o.inbox.take(consumer, 1, 500);
      } catch (error) {
        this.#o.logger.warn({ err: (error as Error).message }, 'inbox read failed; retrying');
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      for (const entry of entries) await this.#handle(entry);
    }
  }

  async #handle(entry: InboxEntry): Promise<void> {
    const { logger, inbox } = this.#o;
    const { event } = entry;
    try {
      await continueTrace(
        entry.trace,
        `ingest ${event.InfoType}`,
        { 'wecom.info_type': event.InfoType, 'inbox.deliveries': entry.deliveries },
        async () => {
          await this.process(event);
          await inbox.ack([entry.id]);
        },
      );
    } catch (error) {
      const upstream = error instanceof WecomError ? error : null;
      const giveUp = upstream
        ? !isTransient(upstream) || this.#authCodeExpired(entry, upstream)
        : entry.deliveries >= (this.#o.maxDeliveries ?? 5);
      const log = {
        infoType: event.InfoType,
        deliveries: entry.deliveries,
        giveUp,
        err: (error as Error).message,
      };
      // Left unacked, the entry is handed out again after the redelivery delay.
      if (!giveUp) return logger.warn(log, 'callback event failed; it will be delivered again');
      logger.error(log, 'callback event failed for good; given up');
      await this.#recordGiveUp(event, upstream?.code ?? 'INTERNAL', (error as Error).message);
      await inbox.ack([entry.id]).catch(() => undefined);
    }
  }

  #authCodeExpired(entry: InboxEntry, error: WecomError): boolean {
    return (
      'AuthCode' in entry.event &&
      awaitsSuiteTicket(error) &&
      this.#now() - entry.receivedAt >= AUTH_CODE_WAIT_MS
    );
  }

  /** A failure for good is visible on the corp (when the event names one) and in metrics. */
  async #recordGiveUp(event: CallbackEvent, code: string, message: string): Promise<void> {
    this.#o.onGiveUp?.(event.InfoType, code);
    const corpId = 'AuthCorpId' in event ? event.AuthCorpId : undefined;
    if (corpId === undefined || event.InfoType === 'cancel_auth') return;
    const failure = { infoType: event.InfoType, code, message, at: this.#now() };
    await this.#authOf(event)
      .recordEventFailure(corpId, failure)
      .catch((error: unknown) =>
        this.#o.logger.warn({ corpId, err: (error as Error).message }, 'could not record the event failure'),
      );
  }

  #authOf(event: CallbackEvent): AuthEvents {
    const display = this.#o.displayAuth;
    return display && event.SuiteId !== undefined && event.SuiteId === this.#o.displaySuiteId
      ? display
      : this.#o.auth;
  }

  /** The work for one event; public so the receiver can be tested without the loop. */
  async process(event: CallbackEvent): Promise<void> {
    const { syncer, hitSyncer, syncState, hitState, bus } = this.#o;
    const now = this.#now();
    const auth = this.#authOf(event);
    if (auth !== this.#o.auth) {
      // The display app only authorizes: its permanent code, agentId and tickets.
      if (!(await authorizationEvent(event, auth))) {
        this.#o.logger.info({ infoType: event.InfoType, app: 'display' }, 'display app event needs no work');
      }
      return;
    }
    // A corp the registry does not know may be one whose authorization answer was lost. Not for
    // cancel_auth (nothing to keep) nor reset_permanent_code (it is the repair itself).
    const repairs = event.InfoType === 'cancel_auth' || event.InfoType === 'reset_permanent_code';
    if ('AuthCorpId' in event && event.AuthCorpId !== undefined && !repairs) {
      if (await auth.markIfOrphan(event.AuthCorpId)) return;
    }
    if (await authorizationEvent(event, auth)) return;
    switch (event.InfoType) {
      case 'advanced_api_expired':
      case 'trial_expired':
      case 'advanced_api_trial_expired':
        await auth.archiveExpired(event.AuthCorpId, expiryOf(event, now));
        return;
      case 'conversation_new_message':
        await syncState.noteCallback(event.AuthCorpId, event.Token, now);
        await syncer.sync(event.AuthCorpId, 'callback');
        return;
      case 'hit_keyword':
        await hitState.noteCallback(event.AuthCorpId, event.Token, now);
        await hitSyncer.sync(event.AuthCorpId);
        return;
      case 'chat_archive_audit_approved_single':
        bus.publish('consent', event.AuthCorpId, {
          corpId: event.AuthCorpId,
          employeeId: event.OpenUserID,
          externalUserId: event.ExternalUserID,
          chatId: event.ChatId ?? null,
          status: 'AGREE',
          changedAt: event.TimeStamp ?? Math.floor(now / 1000),
        });
        return;
      case 'chat_archive_audit_approved_room':
        bus.publish('consent', event.AuthCorpId, {
          corpId: event.AuthCorpId,
          employeeId: null,
          externalUserId: event.ExternalUserID,
          chatId: event.ChatId,
          status: 'AGREE',
          changedAt: event.TimeStamp ?? Math.floor(now / 1000),
        });
        return;
      case 'chat_archive_export_finished': {
        const task = await refreshExportTask(this.#o.api, this.#o.tasks, event.AuthCorpId, event.JobId, now);
        bus.publish('exportTask', event.AuthCorpId, task);
        return;
      }
      default:
        this.#o.logger.info({ infoType: event.InfoType }, 'callback event needs no ingestion work');
    }
  }
}

/** create/reset/change/cancel of either app, handed to its onboarding; false for any other event. */
async function authorizationEvent(event: CallbackEvent, auth: AuthEvents): Promise<boolean> {
  switch (event.InfoType) {
    case 'create_auth':
      await auth.createAuth(event.AuthCode);
      return true;
    case 'reset_permanent_code':
      await auth.resetPermanentCode(event.AuthCode);
      return true;
    case 'change_auth':
      await auth.changeAuth(event.AuthCorpId);
      return true;
    case 'cancel_auth':
      await auth.cancelAuth(event.AuthCorpId);
      return true;
    default:
      return false;
  }
}

function expiryOf(event: ArchiveExpiryEvent, now: number) {
  return {
    kind: EXPIRY_KINDS[event.InfoType],
    edition: event['ChatArchiveApi.Edition'] ?? null,
    at: event.TimeStamp === undefined ? now : event.TimeStamp * 1000,
  };
}
