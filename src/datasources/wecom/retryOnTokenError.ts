import { WecomError } from './WecomError.js';

/** 40014 invalid / 42001 expired access_token. */
export const CORP_TOKEN_ERRCODES: ReadonlySet<number> = new Set([40014, 42001]);
/** 40082 invalid / 42009 expired suite_access_token. */
export const SUITE_TOKEN_ERRCODES: ReadonlySet<number> = new Set([40082, 42009]);

/**
 * Calls `fn` with a token; when the upstream rejects the token, drops it (only if still the
 * cached one) and retries exactly once with a fresh token.
 */
export async function retryOnTokenError<T>(
  errcodes: ReadonlySet<number>,
  getToken: () => Promise<string>,
  invalidate: (token: string) => Promise<void>,
  fn: (token: string) => Promise<T>,
): Promise<T> {
  const token = await getToken();
  try {
    return await fn(token);
  } catch (error) {
    if (!(error instanceof WecomError) || error.errcode === null || !errcodes.has(error.errcode)) throw error;
    await invalidate(token);
    return fn(await getToken());
  }
}
