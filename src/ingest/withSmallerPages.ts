import { WecomError } from '../datasources/wecom/WecomError.js';

/** sync_msg / get_hit_msg_list: "pull request over size limit, lower limit" (docs/upstream.md §8.7). */
export const PAGE_TOO_LARGE = 301058;

/**
 * Fetches one page with `limit`, and when WeCom answers 301058 (the page would be too large)
 * asks for the same page again with half the limit, down to 1. Only that page is smaller: the
 * next one starts from the configured limit again. The callback token is not touched (301058
 * says nothing about it).
 */
export async function withSmallerPages<T>(
  limit: number,
  fetch: (limit: number) => Promise<T>,
  onSmaller?: (limit: number) => void,
): Promise<T> {
  for (let current = limit; ; ) {
    try {
      return await fetch(current);
    } catch (error) {
      if (!(error instanceof WecomError) || error.errcode !== PAGE_TOO_LARGE || current <= 1) throw error;
      current = Math.ceil(current / 2);
      onSmaller?.(current);
    }
  }
}
