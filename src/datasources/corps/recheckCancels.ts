import type { Logger } from '../../logging/Logger.js';
import type { CorpRecord, CorpRegistry, PendingCancelStore } from '../store/ports.js';
import type { TokenChain } from '../wecom/ports.js';
import { confirmAuthorizationGone } from './confirmAuthorizationGone.js';

/** How long an unconfirmed cancel_auth is re-checked on the watchdog's passes. Default 1 h. */
export const CANCEL_RECHECK_MS = 3_600_000;

export type RecheckDeps = {
  app: 'archive' | 'display';
  corps: Pick<CorpRegistry, 'get'>;
  tokens: Pick<TokenChain, 'getCorpToken' | 'forgetCorpToken'>;
  cancels: PendingCancelStore;
  /** How long after the first unconfirmed cancel_auth it is asked about, ms. */
  windowMs: number;
  now: () => number;
  observe?: (what: 'cancel_confirmed_late' | 'cancel_recheck_expired') => void;
  logger: Logger;
};

/**
 * The watchdog's pass over cancel_auth events the upstream did not confirm: each is asked again
 * while its window lasts; one the upstream now confirms (the corp token refused) is applied with
 * `purge`, like a confirmed cancel_auth; one still unconfirmed after the window is dropped,
 * logged and counted. A corp gone meanwhile is forgotten; an answer that cannot be had now
 * (45009, timeout) is left for the next pass. Resolves with the cancels applied.
 */
export async function recheckCancels(
  deps: RecheckDeps,
  purge: (record: CorpRecord) => Promise<CorpRecord>,
): Promise<CorpRecord[]> {
  const { app, corps, tokens, cancels, logger } = deps;
  const applied: CorpRecord[] = [];
  for (const { corpId, receivedAt } of await cancels.list()) {
    try {
      const record = await corps.get(corpId);
      if (record === null) {
        await cancels.remove(corpId);
        continue;
      }
      if (await confirmAuthorizationGone(tokens, corpId)) {
        applied.push(await purge(record));
        deps.observe?.('cancel_confirmed_late');
        logger.warn(
          { app, corpId, afterMs: deps.now() - receivedAt },
          'cancel_auth confirmed upstream on re-check; applied',
        );
      } else if (deps.now() - receivedAt >= deps.windowMs) {
        await cancels.remove(corpId);
        deps.observe?.('cancel_recheck_expired');
        logger.warn(
          { app, corpId, receivedAt },
          'unconfirmed cancel_auth dropped: the upstream kept granting the corp a token for the whole re-check window',
        );
      }
    } catch (error) {
      logger.warn({ app, corpId, err: (error as Error).message }, 'cancel re-check not settled yet');
    }
  }
  return applied;
}
