import type { Logger } from '../../logging/Logger.js';
import { runExclusive } from '../coordination/runExclusive.js';
import type { KeyValueStore } from '../store/ports.js';
import { WecomError } from './WecomError.js';

export type CredentialCacheOptions = {
  kv: KeyValueStore;
  logger: Logger;
  /** Stop serving a credential this many seconds before `expires_in` runs out. */
  refreshMarginS: number;
  /** Lock lifetime for one fetch, ms; should exceed the HTTP budget. Default 20 000. */
  lockTtlMs?: number;
  /** How long a replica waits for another one's fetch, ms. Default lockTtlMs + 5000. */
  waitMs?: number;
  /** Poll interval while waiting, ms. Default 50. */
  pollMs?: number;
};

export type FetchedCredential = { value: string; expiresIn: number };

/**
 * Upstream credentials with a lifetime (suite and corp tokens, jsapi tickets), cached in the KV
 * that replicas share and fetched once per lifetime: one promise per key in this process, one
 * KV lock per key across processes (the others wait for the cache to fill).
 */
export class CredentialCache {
  readonly #o: CredentialCacheOptions;
  readonly #inflight = new Map<string, Promise<string>>();
  readonly #lockTtlMs: number;

  constructor(options: CredentialCacheOptions) {
    this.#o = options;
    this.#lockTtlMs = options.lockTtlMs ?? 20_000;
  }

  /** The cached `key`, or `fetch` it (named `path` in logs and errors) once. */
  get(key: string, path: string, fetch: () => Promise<FetchedCredential>): Promise<string> {
    const pending = this.#inflight.get(key);
    if (pending) return pending;
    const promise = this.#cachedOrFetch(key, path, fetch).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return promise;
  }

  async #cachedOrFetch(key: string, path: string, fetch: () => Promise<FetchedCredential>): Promise<string> {
    const { kv, logger, refreshMarginS } = this.#o;
    const cached = await kv.get(key);
    if (cached !== null) return cached;
    const waitMs = this.#o.waitMs ?? this.#lockTtlMs + 5000;
    return runExclusive(kv, {
      lockKey: `lock:${key}`,
      lockTtlMs: this.#lockTtlMs,
      waitMs,
      ...(this.#o.pollMs === undefined ? {} : { pollMs: this.#o.pollMs }),
      peek: () => kv.get(key),
      run: async () => {
        const { value, expiresIn } = await fetch();
        // A margin larger than the lifetime would mean "never cache": halve the lifetime instead.
        const lifeS = expiresIn > refreshMarginS ? expiresIn - refreshMarginS : expiresIn / 2;
        await kv.set(key, value, Math.max(1000, lifeS * 1000));
        logger.debug({ path, expiresIn }, 'fetched upstream credential');
        return value;
      },
      onTimeout: () =>
        new WecomError(`${path}: waited ${waitMs} ms for another replica to fetch it`, {
          code: 'UPSTREAM_TIMEOUT',
          path,
          errcode: null,
          httpStatus: null,
          retryable: true,
          hint: null,
        }),
    });
  }
}
