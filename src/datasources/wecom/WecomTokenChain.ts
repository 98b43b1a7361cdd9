import type { CorpRegistry, SuiteTicketStore } from '../store/ports.js';
import { SuiteTicketMissingError } from './awaitsSuiteTicket.js';
import { CredentialCache, type CredentialCacheOptions } from './CredentialCache.js';
import { fetchCustomizedCorpToken, GETTOKEN } from './fetchCustomizedCorpToken.js';
import type { TokenChain } from './ports.js';
import { retryOnTokenError, SUITE_TOKEN_ERRCODES } from './retryOnTokenError.js';
import { corpTokenResponse, suiteTokenResponse } from './upstreamSchemas.js';
import { WecomError } from './WecomError.js';
import type { WecomHttp } from './WecomHttp.js';

export const GET_SUITE_TOKEN = '/cgi-bin/service/get_suite_token';
export const GET_CORP_TOKEN = '/cgi-bin/service/get_corp_token';

export type WecomTokenChainOptions = CredentialCacheOptions & {
  http: WecomHttp;
  suite: { suiteId: string; suiteSecret: string };
  corps: Pick<CorpRegistry, 'getPermanentCode'>;
  /** Where the newest suite_ticket is kept: the store of record, since a lost one takes 10 minutes to come back. */
  tickets: SuiteTicketStore;
  /**
   * `third_party` (default): corp tokens from service/get_corp_token with the suite token.
   * `customized` (a 代开发 app): from gettoken, the permanent code being the corp secret.
   */
  appKind?: 'third_party' | 'customized';
};

const SUITE_TOKEN_KEY = 'token:suite';
const corpTokenKey = (corpId: string): string => `token:corp:${corpId}`;

/**
 * suite_ticket → suite_access_token → per-corp access_token, each cached and fetched once per
 * lifetime across replicas (CredentialCache). A 代开发 app (`appKind: 'customized'`) gets its corp
 * tokens from gettoken instead; its suite token still serves get_permanent_code.
 */
export class WecomTokenChain implements TokenChain {
  readonly #o: WecomTokenChainOptions;
  readonly #cache: CredentialCache;

  constructor(options: WecomTokenChainOptions) {
    this.#o = options;
    this.#cache = new CredentialCache(options);
  }

  /** Newest wins: a ticket older than the stored one (by push timestamp, seconds) is ignored. */
  async setSuiteTicket(ticket: string, timestampS: number): Promise<void> {
    await this.#o.tickets.putIfNewer(this.#o.suite.suiteId, { ticket, ts: timestampS });
  }

  getSuiteToken(): Promise<string> {
    return this.#cache.get(SUITE_TOKEN_KEY, GET_SUITE_TOKEN, async () => {
      const stored = await this.#o.tickets.get(this.#o.suite.suiteId);
      if (stored === null) throw new SuiteTicketMissingError(GET_SUITE_TOKEN, this.#o.suite.suiteId);
      const { ticket } = stored;
      const { suiteId, suiteSecret } = this.#o.suite;
      const res = await this.#o.http.postJson(
        GET_SUITE_TOKEN,
        {},
        { suite_id: suiteId, suite_secret: suiteSecret, suite_ticket: ticket },
        suiteTokenResponse,
      );
      return { value: res.suite_access_token, expiresIn: res.expires_in };
    });
  }

  getCorpToken(corpId: string): Promise<string> {
    const customized = this.#o.appKind === 'customized';
    const path = customized ? GETTOKEN : GET_CORP_TOKEN;
    return this.#cache.get(corpTokenKey(corpId), path, async () => {
      const permanentCode = await this.#o.corps.getPermanentCode(corpId);
      if (permanentCode === null) {
        throw new WecomError(`corp ${corpId} has not authorized the suite (no permanent code stored)`, {
          code: 'CORP_NOT_AUTHORIZED',
          path,
          errcode: null,
          httpStatus: null,
          retryable: false,
          hint: null,
        });
      }
      const res = customized
        ? await fetchCustomizedCorpToken(this.#o.http, corpId, permanentCode)
        : await retryOnTokenError(
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
      return { value: res.access_token, expiresIn: res.expires_in };
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
}
