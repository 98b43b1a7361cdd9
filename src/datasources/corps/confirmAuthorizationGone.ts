import type { TokenChain } from '../wecom/ports.js';
import { WecomError } from '../wecom/WecomError.js';

/**
 * Asks the upstream whether a corp's authorization is really gone before anything is deleted:
 * the cached corp token is dropped and a fresh one requested with the stored permanent code, by
 * the app kind's own call (get_corp_token, or gettoken for a 代开发 app: the chain knows which).
 *  - refused as not authorized (48004, 40084; for a 代开发 display app, whose token comes from
 *    gettoken, 40001 invalid secret and 40013 unknown corp) → true: the cancel is real;
 *  - granted → false: the authorization stands, whatever the event said;
 *  - no permanent code stored here → true: there is nothing to ask with, and nothing the
 *    upstream could still serve;
 *  - anything else (45009, timeout, 5xx) is thrown: the event is retried later.
 * A forged cancel_auth (issue 11: one purged a corp's 1,200 messages) thus changes nothing.
 */
export async function confirmAuthorizationGone(
  tokens: Pick<TokenChain, 'getCorpToken' | 'forgetCorpToken'>,
  corpId: string,
): Promise<boolean> {
  await tokens.forgetCorpToken(corpId);
  try {
    await tokens.getCorpToken(corpId);
    return false;
  } catch (error) {
    if (error instanceof WecomError && error.code === 'CORP_NOT_AUTHORIZED') return true;
    throw error;
  }
}
