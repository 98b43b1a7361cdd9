import { runCoalesced } from '../datasources/coordination/runCoalesced.js';
import type { HitStore } from '../datasources/store/ports.js';
import { callWithToken, type TokenHolder } from './callWithToken.js';
import type { DrainOptions } from './DrainOptions.js';
import { withSmallerPages } from './withSmallerPages.js';

export type HitSyncerOptions = DrainOptions & { hits: HitStore };

/**
 * hit_keyword → get_hit_msg_list (need_detail=1) from the checkpoint until has_more is 0; hits
 * are stored before the cursor moves, and published once (the store reports only new rule hits).
 */
export class HitSyncer {
  readonly #o: HitSyncerOptions;
  readonly #now: () => number;

  constructor(options: HitSyncerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async sync(corpId: string): Promise<number> {
    const { kv, owner, leaseMs } = this.#o;
    const outcome = await runCoalesced(kv, `hits:${corpId}`, owner, leaseMs, () => this.#drain(corpId));
    return outcome.ran ? outcome.results.reduce((a, b) => a + b, 0) : 0;
  }

  async #drain(corpId: string): Promise<number> {
    const { api, hits, state, bus, pageLimit } = this.#o;
    const holder: TokenHolder = { token: await state.token(corpId) };
    let cursor = await state.cursor(corpId);
    let published = 0;
    for (;;) {
      const page = await callWithToken(state, corpId, holder, (token) =>
        withSmallerPages(pageLimit, (limit) =>
          api.chatdata(corpId, 'keyword/get_hit_msg_list', {
            ...(cursor ? { cursor } : {}),
            ...(token ? { token } : {}),
            need_detail: 1,
            limit,
          }),
        ),
      );
      for (const item of page.msg_list) {
        const rules = item.hit_rule_list.map((r) => ({
          ruleId: r.rule_id,
          hasHitKeyword: r.has_hit_keyword,
          semantics: r.semantics_list,
        }));
        const sendTime = item.msg_detail?.send_time ?? null;
        const fresh = await hits.record(corpId, {
          msgid: item.msgid,
          rules,
          sendTime,
          recordedAt: this.#now(),
        });
        if (fresh.length > 0) {
          bus.publish('keywordHit', corpId, { corpId, msgid: item.msgid, rules: fresh, sendTime });
          published++;
        }
      }
      if (page.next_cursor && page.next_cursor !== cursor) {
        cursor = page.next_cursor;
        await state.saveCursor(corpId, cursor, this.#now());
      }
      if (!page.has_more || !page.next_cursor) break;
    }
    return published;
  }
}
