import type { AuthEvents } from '../datasources/corps/ports.js';
import type { TokenChain } from '../datasources/wecom/ports.js';
import type { CallbackEvent } from './CallbackEvent.js';

export type CallbackLogger = {
  /** Per-callback chatter; optional so minimal loggers need not have it. */
  debug?(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
};

/** Which of the provider's two apps an event is for. */
export type CallbackAppKind = 'archive' | 'display';

export type CallbackDispatchDeps = {
  tokens: Pick<TokenChain, 'setSuiteTicket'>;
  /** The display app's chain; absent → a display suite_ticket is only logged. */
  displayTokens?: Pick<TokenChain, 'setSuiteTicket'> | undefined;
  auth: AuthEvents;
  onEvent?: ((event: CallbackEvent) => Promise<void>) | undefined;
  /** Authorization events go to `onEvent` (a durable queue) rather than to `auth` inline. */
  queueAuthEvents: boolean;
  logger: CallbackLogger;
  /** How long create_auth may run before it is acknowledged anyway, ms. */
  createAuthAckAfterMs: number;
};

/**
 * Routes one validated event to the port that owns it. Resolves when the event may be
 * acknowledged; rejects when WeCom should retry it.
 */
export async function dispatchCallbackEvent(
  event: CallbackEvent,
  app: CallbackAppKind,
  deps: CallbackDispatchDeps,
  log: Record<string, unknown>,
): Promise<void> {
  if (event.InfoType === 'suite_ticket') {
    // The newest ticket by its own TimeStamp wins (docs/upstream.md §8.12): pushes can arrive out of order.
    const chain = app === 'display' ? deps.displayTokens : deps.tokens;
    if (chain) return chain.setSuiteTicket(event.SuiteTicket, event.TimeStamp);
    deps.logger.warn(log, 'suite_ticket for an app without a token chain; ignored');
    return;
  }
  // The display app's authorization events are the workers' (they route by SuiteId).
  if ((deps.queueAuthEvents || app === 'display') && deps.onEvent) return deps.onEvent(event);
  switch (event.InfoType) {
    case 'create_auth':
      return createAuthWithinAckBudget(event.AuthCode, deps, log);
    case 'change_auth':
      return deps.auth.changeAuth(event.AuthCorpId);
    case 'cancel_auth':
      await deps.auth.cancelAuth(event.AuthCorpId);
      return;
    default:
      if (deps.onEvent) return deps.onEvent(event);
      deps.logger.info(log, 'callback event has no consumer yet; acknowledged without processing');
  }
}

/**
 * WeCom wants create_auth answered within 1000 ms and says "store the code first, process it
 * afterwards". The gateway does exactly that (`queueAuthEvents`: the inbox stores it, a worker
 * redeems it with retries). Without a queue the exchange runs inline against a budget below
 * that deadline:
 *  - finished in time → acknowledge (or fail → 503, and WeCom retries with the still-valid code);
 *  - still running    → acknowledge anyway and let it finish in the background, logging the outcome.
 * The cost of the second branch: if the background exchange then fails, WeCom will not resend the
 * event (it got "success") and the corp must re-authorize. Answering late instead would make WeCom
 * resend a code we are already redeeming, which is worse (it is single use).
 */
async function createAuthWithinAckBudget(
  authCode: string,
  deps: CallbackDispatchDeps,
  log: Record<string, unknown>,
): Promise<void> {
  const started = Date.now();
  const work = deps.auth.createAuth(authCode);
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), deps.createAuthAckAfterMs);
  });
  try {
    const first = await Promise.race([work.then((record) => record), budget]);
    if (first !== 'late') {
      deps.logger.info({ ...log, corpId: first.corpId }, 'create_auth processed');
      return;
    }
  } finally {
    clearTimeout(timer);
  }
  deps.logger.warn(
    { ...log, budgetMs: deps.createAuthAckAfterMs },
    'create_auth still running at the ack budget; acknowledging and finishing in the background',
  );
  work.then(
    (record) =>
      deps.logger.info(
        { ...log, corpId: record.corpId, tookMs: Date.now() - started },
        'create_auth finished after ack',
      ),
    (error: unknown) =>
      deps.logger.error(
        { ...log, err: errorSummary(error), tookMs: Date.now() - started },
        'create_auth failed after ack; the corp must re-authorize',
      ),
  );
}

/** Name, code and message only: stacks and attached objects may carry request data. */
export function errorSummary(error: unknown): { name: string; code?: unknown; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return code === undefined
      ? { name: error.name, message: error.message }
      : { name: error.name, code, message: error.message };
  }
  return { name: 'NonError', message: String(error) };
}
