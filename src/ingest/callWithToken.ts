import { WecomError } from '../datasources/WecomError.js';
import type { SyncStateStore } from './SyncStateStore.js';

/** The callback token a drain uses; dropped (set to null) once upstream rejects it. */
export type TokenHolder = { token: string | null };

/**
 * Calls `fetch` with the newest callback token. An expired or foreign token is rejected upstream
 * with a non-retryable error: drop it and continue token-less (strictly rate-limited, but
 * correct) rather than stall until the next callback.
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
    if (holder.token && error instanceof WecomError && error.code === 'UPSTREAM_ERROR' && !error.retryable) {
      await state.dropToken(corpId);
      holder.token = null;
      return fetch(null);
    }
    throw error;
  }
}
