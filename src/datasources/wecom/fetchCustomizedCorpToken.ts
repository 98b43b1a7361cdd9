import { gettokenResponse } from './upstreamSchemas.js';
import { WecomError } from './WecomError.js';
import type { WecomHttp } from './WecomHttp.js';

export const GETTOKEN = '/cgi-bin/gettoken';

/**
 * gettoken's refusals of a stored permanent code: 40001 invalid corpsecret (the 代开发 app was
 * cancelled, or its code reset and ours is the old one), 40013 invalid corpid (the corp is gone).
 * Either way the authorization this code stood for no longer exists upstream.
 */
const CODE_REFUSED = new Set([40001, 40013]);

/**
 * A 代开发 (customized) app's corp token: `GET /cgi-bin/gettoken?corpid=…&corpsecret=…`, the
 * corp's permanent code being that app's secret in the corp (docs/upstream.md §1.3). No suite
 * token is involved. The secret travels in the query string, so nothing here logs the query;
 * WecomHttp logs and traces the path only and `redactSecrets` strips `corpsecret=` from text.
 */
export async function fetchCustomizedCorpToken(
  http: Pick<WecomHttp, 'getJson'>,
  corpId: string,
  permanentCode: string,
): Promise<{ access_token: string; expires_in: number }> {
  try {
    return await http.getJson(GETTOKEN, { corpid: corpId, corpsecret: permanentCode }, gettokenResponse, {
      corpId,
    });
  } catch (error) {
    if (!(error instanceof WecomError) || error.errcode === null || !CODE_REFUSED.has(error.errcode))
      throw error;
    throw new WecomError(`${error.message} (the 代开发 app's authorization of corp ${corpId} is gone)`, {
      code: 'CORP_NOT_AUTHORIZED',
      path: GETTOKEN,
      errcode: error.errcode,
      httpStatus: error.httpStatus,
      retryable: false,
      hint: error.hint,
      cause: error,
    });
  }
}
