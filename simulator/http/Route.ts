import type { Body } from '../api/params.js';
import type { CorpRuntime } from '../domain/CorpRuntime.js';
import type { SimState } from '../domain/SimState.js';
import type { SuiteAuth } from '../domain/SuiteAuth.js';
import type { FrequencyLimiter } from './Limits.js';

export type ApiCall = {
  state: SimState;
  path: string;
  body: Body;
  query: URLSearchParams;
  ip: string;
  raw: Buffer;
  contentType: string;
  /** Set for `auth: 'corp'` and `'displayCorp'` routes: the corp the access_token belongs to. */
  corp: CorpRuntime | null;
  /** Set for `auth: 'suite'` routes: the app whose suite_access_token it is. */
  suite: SuiteAuth | null;
  /** For endpoint-specific budgets such as the strict token-less sync limit. */
  frequency: FrequencyLimiter;
};

export type Route = {
  path: string;
  /**
   * Which token the query string must carry: none, a suite_access_token (either app's), or a
   * corp access_token of the archive app (`corp`: every chatdata API and media upload) or of the
   * display app (`displayCorp`: the JS-SDK tickets). The other app's corp token is refused (48001).
   */
  auth: 'none' | 'suite' | 'corp' | 'displayCorp';
  /** HTTP method the API takes; anything else is 43002. Default POST (the jsapi ticket APIs are GET). */
  method?: 'GET' | 'POST';
  /** Reads of archived data: 710659 until the corp has set a public key. */
  needsKey?: boolean;
  /** Body is multipart (media upload), not JSON. */
  multipart?: boolean;
  /** get_suite_token / get_corp_token omit errcode on success "for historical reasons". */
  bareSuccess?: boolean;
  handle(call: ApiCall): Record<string, unknown> | Promise<Record<string, unknown>>;
};

export const corpOf = (call: ApiCall): CorpRuntime => {
  if (!call.corp) throw new Error(`route ${call.path} needs corp auth`);
  return call.corp;
};
