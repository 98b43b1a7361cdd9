import type { KeyManager } from '../datasources/corps/ports.js';
import type { MessageIndex } from '../datasources/store/MessageIndex.js';
import { type CorpRegistry, type HitStore, TASK_RETENTION_MS } from '../datasources/store/ports.js';
import type { Logger } from '../logging/Logger.js';
import type { CorpSyncer } from './CorpSyncer.js';
import type { SyncStateStore } from './SyncStateStore.js';

export type WatchdogOptions = {
  corps: CorpRegistry;
  syncer: CorpSyncer;
  state: SyncStateStore;
  index: MessageIndex;
  hits: HitStore;
  /** Task records; the memory store expires them by itself, PostgreSQL's are deleted here. */
  tasks: { dropBefore?(before: number): Promise<number> };
  /** Settles public keys a crash or a lost answer left pending. */
  keys: Pick<KeyManager, 'repairPending'>;
  /** Asks the upstream again about cancel_auth events it did not confirm (both apps). */
  recheckCancels?: () => Promise<unknown>;
  logger: Logger;
  intervalMs: number;
  /** A corp without a successful sync for this long is polled (token-less). */
  stallMs: number;
  retentionMs: number;
  now?: () => number;
};

/**
 * Catches every corp up at start (all at once), then polls the corps whose callbacks have
 * stalled, and applies the archive's retention; each pass also settles pending keys and
 * re-checks unconfirmed cancels. Token-less sync_msg calls are strictly rate-limited upstream,
 * so a corp is polled at most once per `stallMs`.
 */
export class Watchdog {
  readonly #o: WatchdogOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | null = null;
  #tick: Promise<void> = Promise.resolve();

  constructor(options: WatchdogOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Starts the start-up catch-up (not awaited by the caller's start) and the timer. */
  start(): Promise<void> {
    const catchUp = this.#run(true);
    this.#tick = catchUp;
    this.#timer = setInterval(() => {
      this.#tick = this.#tick.then(() => this.#run(false));
    }, this.#o.intervalMs);
    this.#timer.unref();
    return catchUp;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#tick;
  }

  async #run(startup: boolean): Promise<void> {
    const { corps, syncer, state, index, hits, tasks, keys, logger, stallMs, retentionMs } = this.#o;
    // First, so a corp whose key a crash left pending is synced in this same pass.
    await keys.repairPending().catch((error: unknown) => {
      logger.warn({ err: (error as Error).message }, 'pending key repair failed');
    });
    // Before listing: a cancel confirmed now removes its corp from this pass's syncs.
    await this.#o.recheckCancels?.().catch((error: unknown) => {
      logger.warn({ err: (error as Error).message }, 'cancel re-check failed');
    });
    let list: Awaited<ReturnType<CorpRegistry['list']>>;
    try {
      list = (await corps.list()).filter((c) => c.status === 'ACTIVE' && c.publicKeyVersion !== null);
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'watchdog could not list corps');
      return;
    }
    const now = this.#now();
    await Promise.all(
      list.map(async ({ corpId }) => {
        try {
          const s = await state.read(corpId);
          const lastOk = s.lastSyncOkAt ?? 0;
          if (startup || now - lastOk >= stallMs) {
            await syncer.sync(corpId, startup ? 'startup' : 'watchdog');
          }
        } catch {
          // CorpSyncer already recorded and logged the failure; the next tick tries again.
        }
      }),
    );
    try {
      // Retention for every corp at once: whole day partitions in PostgreSQL.
      await index.dropBefore(Math.floor((now - retentionMs) / 1000));
      await hits.dropBefore(now - retentionMs);
      await tasks.dropBefore?.(now - TASK_RETENTION_MS);
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'archive retention pass failed');
    }
  }
}
