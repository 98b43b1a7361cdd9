import type { CorpRegistry } from '../store/ports.js';
import { CredentialCache, type CredentialCacheOptions } from './CredentialCache.js';
import type { JsapiTicketKind, JsapiTickets, TokenChain } from './ports.js';
import { CORP_TOKEN_ERRCODES, retryOnTokenError } from './retryOnTokenError.js';
import { jsapiTicketResponse } from './upstreamSchemas.js';
import type { WecomHttp } from './WecomHttp.js';

export const GET_JSAPI_TICKET = '/cgi-bin/get_jsapi_ticket';
export const GET_AGENT_TICKET = '/cgi-bin/ticket/get';

/** Caching options (kv, logger, refresh margin, lock timings) as for tokens. */
export type KvJsapiTicketsOptions = CredentialCacheOptions & {
  http: Pick<WecomHttp, 'getJson'>;
  tokens: Pick<TokenChain, 'getCorpToken' | 'invalidateCorpToken'>;
  corps: Pick<CorpRegistry, 'get'>;
  /** Agent id for corps whose authorization carried none (WECOM_AGENT_ID); null = unknown. */
  defaultAgentId: number | null;
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
  readonly #cache: CredentialCache;

  constructor(options: KvJsapiTicketsOptions) {
    this.#o = options;
    this.#cache = new CredentialCache(options);
  }

  getTicket(corpId: string, kind: JsapiTicketKind): Promise<string> {
    const path = kind === 'corp' ? GET_JSAPI_TICKET : GET_AGENT_TICKET;
    return this.#cache.get(ticketKey(corpId, kind), path, async () => {
      const res = await this.#fetch(corpId, kind, path);
      return { value: res.ticket, expiresIn: res.expires_in };
    });
  }

  async agentId(corpId: string): Promise<number | null> {
    const record = await this.#o.corps.get(corpId);
    return record?.agentId ?? this.#o.defaultAgentId;
  }

  async forget(corpId: string): Promise<void> {
    await this.#o.kv.delete(...KINDS.map((kind) => ticketKey(corpId, kind)));
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
