import type { CallbackEvent } from '../callbacks/CallbackEvent.js';
import type { Logger } from '../datasources/Logger.js';
import type { AuthEvents, TaskStore, WecomApi } from '../datasources/ports.js';
import { WecomError } from '../datasources/WecomError.js';
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
  /** create/change/cancel_auth, queued by the callback receiver and redeemed here. */
  auth: AuthEvents;
  logger: Logger;
  /** Consumer name: unique per process. */
  consumer: string;
  concurrency: number;
  /** An entry failing this many deliveries is dropped (logged), so one poison event cannot wedge a corp. */
  maxDeliveries?: number;
  now?: () => number;
};

/**
 * Whether an event that failed may succeed when delivered again. A 45009 (or the fail-fast window
 * it opened) is not retryable for a request, but WeCom lifts it at the next minute or hour: the
 * event stays unacked and comes back after the inbox's reclaim delay, instead of being dropped
 * and left to the watchdog. Other upstream answers retry only when WecomError says so.
 */
function worthRetrying(error: unknown): boolean {
  if (!(error instanceof WecomError)) return true;
  return error.retryable || error.code === 'RATE_LIMITED';
}

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
    try {
      await continueTrace(
        entry.trace,
        `ingest ${entry.event.InfoType}`,
        { 'wecom.info_type': entry.event.InfoType, 'inbox.deliveries': entry.deliveries },
        async () => {
          await this.process(entry.event);
          await inbox.ack([entry.id]);
        },
      );
    } catch (error) {
      const giveUp = !worthRetrying(error) || entry.deliveries >= (this.#o.maxDeliveries ?? 5);
      logger.warn(
        {
          infoType: entry.event.InfoType,
          deliveries: entry.deliveries,
          giveUp,
          err: (error as Error).message,
        },
        'callback event failed',
      );
      // Left unacked, the entry is handed out again after the reclaim delay.
      if (giveUp) await inbox.ack([entry.id]).catch(() => undefined);
    }
  }

  /** The work for one event; public so the receiver can be tested without the loop. */
  async process(event: CallbackEvent): Promise<void> {
    const { syncer, hitSyncer, syncState, hitState, bus } = this.#o;
    const now = this.#now();
    switch (event.InfoType) {
      case 'create_auth':
        await this.#o.auth.createAuth(event.AuthCode);
        return;
      case 'change_auth':
        await this.#o.auth.changeAuth(event.AuthCorpId);
        return;
      case 'cancel_auth':
        await this.#o.auth.cancelAuth(event.AuthCorpId);
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
