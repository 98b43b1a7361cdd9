import type { MessageIndex } from '../datasources/messageIndex/MessageIndex.js';
import { WecomError } from '../datasources/WecomError.js';
import { callWithToken, type TokenHolder } from './callWithToken.js';
import type { DrainOptions } from './DrainOptions.js';
import { runCoalesced } from './runCoalesced.js';
import { toArchivedMessage } from './toArchivedMessage.js';

export type CorpSyncerOptions = DrainOptions & {
  index: MessageIndex;
  /** Metrics hook: messages newly indexed by one page. */
  onIndexed?: (corpId: string, count: number) => void;
  /** A sync that indexed something and took at least this long is logged at info; else debug. */
  slowSyncMs?: number;
};

export type SyncOutcome = { ran: boolean; pages: number; added: number };

/**
 * The sync loop of one corp: sync_msg from the checkpoint, with the newest callback token,
 * until has_more is 0. Each page goes into the index (idempotent by msgid) BEFORE its cursor is
 * checkpointed, then is published; so a crash anywhere repeats at most one page, whose messages
 * the index recognises, and nothing is lost or doubled.
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
        () => this.#drain(corpId),
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

  async #drain(corpId: string): Promise<{ pages: number; added: number }> {
    const { api, index, state, bus, pageLimit } = this.#o;
    await state.mark(corpId, 'lastSyncStartedAt', this.#now());
    const holder: TokenHolder = { token: await state.token(corpId) };
    let cursor = await state.cursor(corpId);
    let pages = 0;
    let added = 0;
    for (;;) {
      const page = await callWithToken(state, corpId, holder, (token) =>
        api.chatdata(corpId, 'sync_msg', {
          ...(cursor ? { cursor } : {}),
          ...(token ? { token } : {}),
          limit: pageLimit,
        }),
      );
      pages++;
      const fresh = await index.append(
        corpId,
        page.msg_list.map((m) => toArchivedMessage(corpId, m)),
      );
      if (fresh.length > 0) {
        added += fresh.length;
        bus.publish('message', corpId, {
          corpId,
          fromSeq: fresh[0]!.seq,
          toSeq: fresh[fresh.length - 1]!.seq,
          messages: fresh,
        });
        this.#o.onIndexed?.(corpId, fresh.length);
      }
      if (page.next_cursor && page.next_cursor !== cursor) {
        cursor = page.next_cursor;
        await state.saveCursor(corpId, cursor, this.#now());
      } else if (page.has_more) {
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
