import { WecomError } from '../datasources/wecom/WecomError.js';
import type { SyncStateStore } from './SyncStateStore.js';

/** The callback token a drain uses; dropped (set to null) once upstream rejects it. */
export type TokenHolder = { token: string | null };

/**
 * Refusals that are about something else than the token: dropping the token for them would only
 * move the corp onto the strict token-less limit (issue 11: 301058 once cost a corp its token).
 * 301058 page too large, 710611/50100 cursor, 710659 no public key, 301052/301053 archive
 * service expired or off.
 */
const NOT_ABOUT_THE_TOKEN = new Set([301058, 710611, 50100, 710659, 301052, 301053]);

/**
 * Calls `fetch` with the newest callback token. An expired or foreign token is rejected upstream
 * with a non-retryable error (WeCom does not document which; the simulator says 40058): drop it
 * and continue token-less (strictly rate-limited, but correct) rather than stall until the next
 * callback.
 */
export async function callWithToken<T>(
  state: SyncStateStore,
  corpId: string,
  holder: TokenHolder,
  fetch: (token: string | null) => Promise<T>,
): Promise<T> {
  try {
    return await fetch(holder.token);
  } catch (error) {
    if (
      holder.token &&
      error instanceof WecomError &&
      error.code === 'UPSTREAM_ERROR' &&
      !error.retryable &&
      !(error.errcode !== null && NOT_ABOUT_THE_TOKEN.has(error.errcode))
    ) {
      await state.dropToken(corpId);
      holder.token = null;
      return fetch(null);
    }
    throw error;
  }
}
