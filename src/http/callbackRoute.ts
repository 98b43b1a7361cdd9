import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCallbackHandler } from '../callbacks/createCallbackHandler.js';
import type { Config } from '../config/config.js';
import type { Datasources } from '../datasources/createDatasources.js';
import type { Ingest } from '../ingest/createIngest.js';
import type { Logger } from '../logging/Logger.js';
import type { GatewayMetrics } from '../metrics/GatewayMetrics.js';
import { currentTraceCarrier } from '../tracing/inboxTrace.js';

/**
 * /wecom/callback: both apps' callbacks, acknowledged only once durably queued (authorization
 * events too); the ingest workers do the rest, in the trace the request started.
 */
export function callbackRoute(
  config: Config,
  deps: { datasources: Datasources; ingest: Ingest; metrics: GatewayMetrics; logger: Logger },
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { datasources, ingest, metrics, logger } = deps;
  return createCallbackHandler({
    suite: config.suite,
    displaySuite: config.displaySuite,
    displayTokens: datasources.display.tokens,
    providerCorpId: config.providerCorpId,
    onIgnored: (infoType, reason) =>
      metrics.callbacksIgnored.inc({ info_type: metrics.infoTypeLabel(infoType), reason }),
    maxSkewS: config.callbackMaxSkewS,
    kv: datasources.kv,
    tokens: datasources.tokens,
    auth: ingest.auth,
    onEvent: (event) => {
      const trace = currentTraceCarrier();
      return ingest.inbox.push({ event, receivedAt: Date.now(), ...(trace ? { trace } : {}) });
    },
    queueAuthEvents: true,
    logger,
  });
}
