import type { Logger } from './Logger.js';
import type { CorpRegistry, KeyValueStore, TokenChain } from './ports.js';
import { retryOnTokenError, SUITE_TOKEN_ERRCODES } from './retryOnTokenError.js';
import { runExclusive } from './runExclusive.js';
import { corpTokenResponse, suiteTokenResponse } from './upstreamSchemas.js';
import { WecomError } from './WecomError.js';
import type { WecomHttp } from './WecomHttp.js';

export const GET_SUITE_TOKEN = '/cgi-bin/service/get_suite_token';
export const GET_CORP_TOKEN = '/cgi-bin/service/get_corp_token';

export type WecomTokenChainOptions = {
  kv: KeyValueStore;
  http: WecomHttp;
  suite: { suiteId: string; suiteSecret: string };
  corps: Pick<CorpRegistry, 'getPermanentCode'>;
  /** Refresh this many seconds before `expires_in` runs out. */
  refreshMarginS: number;
  logger: Logger;
  /** Lock lifetime for one fetch, ms; should exceed the HTTP budget. Default 20 000. */
  lockTtlMs?: number;
  /** How long a replica waits for another one's fetch, ms. Default lockTtlMs + 5000. */
  waitMs?: number;
  /** Poll interval while waiting, ms. Default 50. */
  pollMs?: number;
};

const TICKET_KEY = 'suite:ticket';
const SUITE_TOKEN_KEY = 'token:suite';
const corpTokenKey = (corpId: string): string => `token:corp:${corpId}`;

type StoredTicket = { ticket: string; ts: number };

/**
 * suite_ticket → suite_access_token → per-corp access_token. Tokens are cached in the KV
 * (shared by replicas) and fetched once per lifetime: one promise per key in this process,
 * one KV lock per key across processes.
 */
export class WecomTokenChain implements TokenChain {
  readonly #o: WecomTokenChainOptions;
  readonly #inflight = new Map<string, Promise<string>>();
  readonly #lockTtlMs: number;

  constructor(options: WecomTokenChainOptions) {
    this.#o = options;
    this.#lockTtlMs = options.lockTtlMs ?? 20_000;
  }

  /** Newest wins: a ticket older than the stored one (by push timestamp, seconds) is ignored. */
  async setSuiteTicket(ticket: string, timestampS: number = Math.floor(Date.now() / 1000)): Promise<void> {
    const current = await this.#o.kv.get(TICKET_KEY);
    if (current !== null && (JSON.parse(current) as StoredTicket).ts > timestampS) return;
    await this.#o.kv.set(TICKET_KEY, JSON.stringify({ ticket, ts: timestampS } satisfies StoredTicket));
  }

  getSuiteToken(): Promise<string> {
    return this.#singleFlight(SUITE_TOKEN_KEY, GET_SUITE_TOKEN, async () => {
      const stored = await this.#o.kv.get(TICKET_KEY);
      if (stored === null) {
        throw new WecomError('no suite_ticket received yet: wait for the next suite_ticket callback', {
          code: 'UPSTREAM_ERROR',
          path: GET_SUITE_TOKEN,
          errcode: null,
          httpStatus: null,
          retryable: false,
          hint: null,
        });
      }
      const { ticket } = JSON.parse(stored) as StoredTicket;
      const { suiteId, suiteSecret } = this.#o.suite;
      const res = await this.#o.http.postJson(
        GET_SUITE_TOKEN,
        {},
        { suite_id: suiteId, suite_secret: suiteSecret, suite_ticket: ticket },
        suiteTokenResponse,
      );
      return { token: res.suite_access_token, expiresIn: res.expires_in };
    });
  }

  getCorpToken(corpId: string): Promise<string> {
    return this.#singleFlight(corpTokenKey(corpId), GET_CORP_TOKEN, async () => {
      const permanentCode = await this.#o.corps.getPermanentCode(corpId);
      if (permanentCode === null) {
        throw new WecomError(`corp ${corpId} has not authorized the suite (no permanent code stored)`, {
          code: 'CORP_NOT_AUTHORIZED',
          path: GET_CORP_TOKEN,
          errcode: null,
          httpStatus: null,
          retryable: false,
          hint: null,
        });
      }
      const res = await retryOnTokenError(
        SUITE_TOKEN_ERRCODES,
        () => this.getSuiteToken(),
        (token) => this.invalidateSuiteToken(token),
        (suiteToken) =>
          this.#o.http.postJson(
            GET_CORP_TOKEN,
            { suite_access_token: suiteToken },
            { auth_corpid: corpId, permanent_code: permanentCode },
            corpTokenResponse,
          ),
      );
      return { token: res.access_token, expiresIn: res.expires_in };
    });
  }

  async invalidateSuiteToken(token: string): Promise<void> {
    await this.#o.kv.deleteIfEquals(SUITE_TOKEN_KEY, token);
  }

  async invalidateCorpToken(corpId: string, token: string): Promise<void> {
    await this.#o.kv.deleteIfEquals(corpTokenKey(corpId), token);
  }

  /** Drops a corp's cached token whatever it is (re-authorization changed the permanent code). */
  async forgetCorpToken(corpId: string): Promise<void> {
    await this.#o.kv.delete(corpTokenKey(corpId));
  }

  #singleFlight(
    key: string,
    path: string,
    fetch: () => Promise<{ token: string; expiresIn: number }>,
  ): Promise<string> {
    const pending = this.#inflight.get(key);
    if (pending) return pending;
    const promise = this.#cachedOrFetch(key, path, fetch).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return promise;
  }

  async #cachedOrFetch(
    key: string,
    path: string,
    fetch: () => Promise<{ token: string; expiresIn: number }>,
  ): Promise<string> {
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
        const { token, expiresIn } = await fetch();
        // Tokens live `expires_in` seconds; stop serving one `refreshMarginS` early. A margin
        // larger than the lifetime would mean "never cache": halve the lifetime instead.
        const lifeS = expiresIn > refreshMarginS ? expiresIn - refreshMarginS : expiresIn / 2;
        await kv.set(key, token, Math.max(1000, lifeS * 1000));
        logger.info({ path, expiresIn }, 'fetched upstream token');
        return token;
      },
      onTimeout: () =>
        new WecomError(`${path}: waited ${waitMs} ms for another replica to fetch the token`, {
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
