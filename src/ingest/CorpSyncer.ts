import { runCoalesced } from '../datasources/coordination/runCoalesced.js';
import type { MessageIndex } from '../datasources/store/MessageIndex.js';
import type { ArchivedMessage } from '../datasources/store/ports.js';
import { WecomError } from '../datasources/wecom/WecomError.js';
import { inSpan } from '../tracing/inboxTrace.js';
import { callWithToken, type TokenHolder } from './callWithToken.js';
import { classifySyncRecord, type QuarantineEntry } from './classifySyncRecord.js';
import type { DrainOptions } from './DrainOptions.js';
import { withSmallerPages } from './withSmallerPages.js';

export type CorpSyncerOptions = DrainOptions & {
  index: MessageIndex;
  /** Messages newly indexed by one page. */
  onIndexed?: (corpId: string, count: number) => void;
  /** A drain of the corp ended, finished or failed (after its pages' `onIndexed`). */
  onDrained?: (corpId: string) => void;
  /** A sync that indexed something and took at least this long is logged at info; else debug. */
  slowSyncMs?: number;
};

export type SyncOutcome = { ran: boolean; pages: number; added: number };

/**
 * The sync loop of one corp: sync_msg from the checkpoint, with the newest callback token,
 * until has_more is 0. Each page commits with its cursor in one transaction (idempotent by
 * msgid; refused if another worker moved the cursor meanwhile), then is published; so a crash
 * anywhere repeats at most one page, whose messages the archive recognises, and nothing is lost
 * or doubled.
 */
export class CorpSyncer {
  readonly #o: CorpSyncerOptions;
  readonly #now: () => number;

  constructor(options: CorpSyncerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async sync(corpId: string, reason: string): Promise<SyncOutcome> {
    const { kv, owner, leaseMs, logger } = this.#o;
    const started = this.#now();
    try {
      const outcome = await runCoalesced(
        kv,
        `sync:${corpId}`,
        owner,
        leaseMs,
        () => this.#drainNotifying(corpId),
        (error) => void this.#recordFailure(corpId, 'follow-up', error),
      );
      if (!outcome.ran) return { ran: false, pages: 0, added: 0 };
      const pages = outcome.results.reduce((n, r) => n + r.pages, 0);
      const added = outcome.results.reduce((n, r) => n + r.added, 0);
      // Per-sync chatter at debug: at info only what someone should look at (slow with news).
      const ms = this.#now() - started;
      const slow = added > 0 && ms >= (this.#o.slowSyncMs ?? 5000);
      logger[slow ? 'info' : 'debug'](
        { corpId, reason, pages, added, ms },
        slow ? 'slow sync' : 'corp synced',
      );
      return { ran: true, pages, added };
    } catch (error) {
      await this.#recordFailure(corpId, reason, error);
      throw error;
    }
  }

  async #recordFailure(corpId: string, reason: string, error: unknown): Promise<void> {
    const code = error instanceof WecomError ? error.code : 'INTERNAL';
    await this.#o.state
      .recordError(corpId, { code, message: (error as Error).message, at: this.#now() })
      .catch(() => undefined);
    this.#o.logger.warn({ corpId, reason, code, err: (error as Error).message }, 'corp sync failed');
  }

  async #drainNotifying(corpId: string): Promise<{ pages: number; added: number }> {
    try {
      return await this.#drain(corpId);
    } finally {
      this.#o.onDrained?.(corpId);
    }
  }

  async #drain(corpId: string): Promise<{ pages: number; added: number }> {
    const { api, index, state, bus, pageLimit } = this.#o;
    await state.mark(corpId, 'lastSyncStartedAt', this.#now());
    const holder: TokenHolder = { token: await state.token(corpId) };
    let cursor = await state.cursor(corpId);
    let pages = 0;
    let added = 0;
    for (;;) {
      const page = await callWithToken(state, corpId, holder, (token) =>
        withSmallerPages(pageLimit, (limit) =>
          api.chatdata(corpId, 'sync_msg', {
            ...(cursor ? { cursor } : {}),
            ...(token ? { token } : {}),
            limit,
          }),
        ),
      );
      pages++;
      const next = page.next_cursor && page.next_cursor !== cursor ? page.next_cursor : null;
      // A record that breaks the documented shape is kept aside; the rest of the page goes on.
      const messages: ArchivedMessage[] = [];
      const quarantined: QuarantineEntry[] = [];
      for (const raw of page.msg_list) {
        const record = classifySyncRecord(corpId, raw);
        if (record.kind === 'message') messages.push(record.message);
        else quarantined.push(record.entry);
      }
      if (quarantined.length > 0) {
        this.#o.logger.warn(
          { corpId, quarantined: quarantined.length, reasons: quarantined.map((q) => q.reason).slice(0, 3) },
          'sync_msg records kept aside: they break the documented shape',
        );
      }
      // The page, its quarantined records and its checkpoint commit together: a crash before the
      // commit repeats the page, a crash after it does not; the archive skips msgids it holds.
      const fresh = await inSpan(
        'ingest.commit',
        { 'wecom.corp_id': corpId, 'messages.received': page.msg_list.length },
        () =>
          index.commitPage(corpId, {
            messages,
            quarantined,
            cursor: next === null ? undefined : { from: cursor, to: next },
            now: this.#now(),
          }),
      );
      if (next !== null) cursor = next;
      if (fresh.length > 0) {
        added += fresh.length;
        await inSpan(
          'ingest.publish',
          { 'wecom.corp_id': corpId, 'messages.published': fresh.length },
          async () =>
            bus.publish('message', corpId, {
              corpId,
              fromSeq: fresh[0]!.seq,
              toSeq: fresh[fresh.length - 1]!.seq,
              messages: fresh,
            }),
        );
        this.#o.onIndexed?.(corpId, fresh.length);
      }
      if (next === null && page.has_more) {
        throw new WecomError('sync_msg said has_more without a new next_cursor', {
          code: 'UPSTREAM_CONTRACT',
          path: '/cgi-bin/chatdata/sync_msg',
          errcode: null,
          httpStatus: null,
          retryable: false,
          hint: null,
        });
      }
      if (!page.has_more) break;
    }
    await state.mark(corpId, 'lastSyncOkAt', this.#now());
    await state.recordError(corpId, null);
    return { pages, added };
  }
}
