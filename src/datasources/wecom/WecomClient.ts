import type { TokenChain, UploadedMedia, WecomApi } from './ports.js';
import { CORP_TOKEN_ERRCODES, retryOnTokenError, SUITE_TOKEN_ERRCODES } from './retryOnTokenError.js';
import {
  CHATDATA_APIS,
  type ChatdataApi,
  type ChatdataRequest,
  type ChatdataResponse,
  chatdataSchemas,
  mediaUploadResponse,
  type PermanentCodeResponse,
  permanentCodeResponse,
} from './upstreamSchemas.js';
import { WecomRequestError } from './WecomError.js';
import type { WecomHttp } from './WecomHttp.js';

export const GET_PERMANENT_CODE = '/cgi-bin/service/get_permanent_code';
export const MEDIA_UPLOAD = '/cgi-bin/media/upload';

/**
 * The WeCom API as the resolvers and workers see it: requests validated before they leave
 * (a bad request is our bug), the right token attached, token errors refreshed once.
 */
export class WecomClient implements WecomApi {
  readonly #http: WecomHttp;
  readonly #tokens: TokenChain;

  constructor(http: WecomHttp, tokens: TokenChain) {
    this.#http = http;
    this.#tokens = tokens;
  }

  async chatdata<A extends ChatdataApi>(
    corpId: string,
    api: A,
    body: ChatdataRequest<A>,
  ): Promise<ChatdataResponse<A>> {
    const schemas = chatdataSchemas[api];
    const path = `/cgi-bin/chatdata/${api}`;
    if (!schemas) {
      const message = `unknown chatdata API, expected one of ${CHATDATA_APIS.join(', ')}`;
      throw new WecomRequestError(path, [{ code: 'custom', path: [], message, input: api }], body);
    }
    const parsed = schemas.request.safeParse(body);
    if (!parsed.success) throw new WecomRequestError(path, parsed.error.issues, body);
    const result = await this.#withCorpToken(corpId, (token) =>
      this.#http.postJson(path, { access_token: token }, parsed.data, schemas.response),
    );
    return result as ChatdataResponse<A>;
  }

  async uploadMedia(corpId: string, filename: string, content: Uint8Array): Promise<UploadedMedia> {
    const res = await this.#withCorpToken(corpId, (token) =>
      this.#http.uploadFile(
        MEDIA_UPLOAD,
        { access_token: token, type: 'file' },
        { field: 'media', filename, content },
        mediaUploadResponse,
      ),
    );
    return { mediaId: res.media_id, createdAt: res.created_at };
  }

  getPermanentCode(authCode: string): Promise<PermanentCodeResponse> {
    return retryOnTokenError(
      SUITE_TOKEN_ERRCODES,
      () => this.#tokens.getSuiteToken(),
      (token) => this.#tokens.invalidateSuiteToken(token),
      (suiteToken) =>
        this.#http.postJson(
          GET_PERMANENT_CODE,
          { suite_access_token: suiteToken },
          { auth_code: authCode },
          permanentCodeResponse,
        ),
    );
  }

  #withCorpToken<T>(corpId: string, fn: (token: string) => Promise<T>): Promise<T> {
    return retryOnTokenError(
      CORP_TOKEN_ERRCODES,
      () => this.#tokens.getCorpToken(corpId),
      (token) => this.#tokens.invalidateCorpToken(corpId, token),
      fn,
    );
  }
}
