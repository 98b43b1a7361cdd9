import type { Logger } from './Logger.js';
import type { CorpRegistry, JsapiTicketKind, JsapiTickets, KeyValueStore, TokenChain } from './ports.js';
import { CORP_TOKEN_ERRCODES, retryOnTokenError } from './retryOnTokenError.js';
import { runExclusive } from './runExclusive.js';
import { jsapiTicketResponse } from './upstreamSchemas.js';
import { WecomError } from './WecomError.js';
import type { WecomHttp } from './WecomHttp.js';

export const GET_JSAPI_TICKET = '/cgi-bin/get_jsapi_ticket';
export const GET_AGENT_TICKET = '/cgi-bin/ticket/get';

export type KvJsapiTicketsOptions = {
  kv: KeyValueStore;
  http: Pick<WecomHttp, 'getJson'>;
  tokens: Pick<TokenChain, 'getCorpToken' | 'invalidateCorpToken'>;
  corps: Pick<CorpRegistry, 'get'>;
  /** Agent id for corps whose authorization carried none (WECOM_AGENT_ID); null = unknown. */
  defaultAgentId: number | null;
  /** Refresh this many seconds before `expires_in` runs out (TOKEN_REFRESH_MARGIN_S). */
  refreshMarginS: number;
  logger: Logger;
  /** Lock lifetime for one fetch, ms; should exceed the HTTP budget. Default 20 000. */
  lockTtlMs?: number;
  /** How long a replica waits for another one's fetch, ms. Default lockTtlMs + 5000. */
  waitMs?: number;
  /** Poll interval while waiting, ms. Default 50. */
  pollMs?: number;
};

const KINDS: readonly JsapiTicketKind[] = ['corp', 'agent'];
const ticketKey = (corpId: string, kind: JsapiTicketKind): string => `ticket:jsapi:${kind}:${corpId}`;

/**
 * The corp's jsapi_ticket and the app's agent_config ticket, cached in the KV like tokens:
 * WeCom allows only 400 corp / 100 app ticket fetches an hour, so each is fetched once per
 * lifetime — one promise per key in this process, one KV lock per key across replicas.
 */
export class KvJsapiTickets implements JsapiTickets {
  readonly #o: KvJsapiTicketsOptions;
  readonly #inflight = new Map<string, Promise<string>>();
  readonly #lockTtlMs: number;

  constructor(options: KvJsapiTicketsOptions) {
    this.#o = options;
    this.#lockTtlMs = options.lockTtlMs ?? 20_000;
  }

  getTicket(corpId: string, kind: JsapiTicketKind): Promise<string> {
    const key = ticketKey(corpId, kind);
    const pending = this.#inflight.get(key);
    if (pending) return pending;
    const promise = this.#cachedOrFetch(key, corpId, kind).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return promise;
  }

  async agentId(corpId: string): Promise<number | null> {
    const record = await this.#o.corps.get(corpId);
    return record?.agentId ?? this.#o.defaultAgentId;
  }

  async forget(corpId: string): Promise<void> {
    await this.#o.kv.delete(...KINDS.map((kind) => ticketKey(corpId, kind)));
  }

  async #cachedOrFetch(key: string, corpId: string, kind: JsapiTicketKind): Promise<string> {
    const { kv, logger, refreshMarginS } = this.#o;
    const cached = await kv.get(key);
    if (cached !== null) return cached;
    const path = kind === 'corp' ? GET_JSAPI_TICKET : GET_AGENT_TICKET;
    const waitMs = this.#o.waitMs ?? this.#lockTtlMs + 5000;
    return runExclusive(kv, {
      lockKey: `lock:${key}`,
      lockTtlMs: this.#lockTtlMs,
      waitMs,
      ...(this.#o.pollMs === undefined ? {} : { pollMs: this.#o.pollMs }),
      peek: () => kv.get(key),
      run: async () => {
        const res = await this.#fetch(corpId, kind, path);
        // As for tokens: stop serving a ticket `refreshMarginS` early, or at half-life when the margin is longer.
        const lifeS = res.expires_in > refreshMarginS ? res.expires_in - refreshMarginS : res.expires_in / 2;
        await kv.set(key, res.ticket, Math.max(1000, lifeS * 1000));
        logger.info({ path, corpId, expiresIn: res.expires_in }, 'fetched jsapi ticket');
        return res.ticket;
      },
      onTimeout: () =>
        new WecomError(`${path}: waited ${waitMs} ms for another replica to fetch the ticket`, {
          code: 'UPSTREAM_TIMEOUT',
          path,
          errcode: null,
          httpStatus: null,
          retryable: true,
          hint: null,
        }),
    });
  }

  #fetch(corpId: string, kind: JsapiTicketKind, path: string) {
    const { http, tokens } = this.#o;
    return retryOnTokenError(
      CORP_TOKEN_ERRCODES,
      () => tokens.getCorpToken(corpId),
      (token) => tokens.invalidateCorpToken(corpId, token),
      (token) =>
        http.getJson(
          path,
          kind === 'corp' ? { access_token: token } : { access_token: token, type: 'agent_config' },
          jsapiTicketResponse,
          { corpId },
        ),
    );
  }
}
