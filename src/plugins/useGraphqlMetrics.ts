import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logging/Logger.js';
import type { GatewayMetrics } from '../metrics/GatewayMetrics.js';

const PROTECTION_BY_CODE: Record<string, string> = {
  CSRF_HEADER_REQUIRED: 'csrf',
  PERSISTED_QUERY_ONLY: 'persisted',
  PERSISTED_QUERY_NOT_FOUND: 'persisted',
  INTROSPECTION_DISABLED: 'introspection',
};

/**
 * Counts and times every GraphQL request yoga answers over HTTP or SSE (graphql-ws is counted in
 * wireWebSocket): by operation name, transport and outcome, the outcome being `ok` or the first
 * error's code. Also the one debug line per request, with its request id.
 */
export function useGraphqlMetrics(metrics: GatewayMetrics, logger: Logger): Plugin {
  const started = new WeakMap<Request, { at: number; operation: string | null }>();
  return {
    onRequest({ request }) {
      started.set(request, { at: performance.now(), operation: null });
    },
    onParams({ params, request }) {
      const entry = started.get(request);
      if (entry) entry.operation = params.operationName ?? firstOperationName(params.query);
    },
    onResultProcess({ request, result }) {
      const entry = started.get(request);
      if (!entry) return;
      started.delete(request);
      const streaming = !Array.isArray(result) && Symbol.asyncIterator in (result as object);
      const first = streaming ? undefined : Array.isArray(result) ? result[0] : (result as ExecutionResult);
      const code = first?.errors?.[0]?.extensions?.['code'];
      const outcome = first?.errors?.length ? (typeof code === 'string' ? code : 'error') : 'ok';
      const operation = metrics.operationLabel(entry.operation);
      const seconds = (performance.now() - entry.at) / 1000;
      metrics.graphqlRequests.inc({ operation, transport: streaming ? 'sse' : 'http', outcome });
      metrics.graphqlDuration.observe({ operation, outcome }, seconds);
      const protection = PROTECTION_BY_CODE[outcome];
      if (protection) metrics.rejections.inc({ protection });
      logger.debug(
        {
          requestId: request.headers.get('x-request-id'),
          operation,
          outcome,
          ms: Math.round(seconds * 1000),
        },
        'graphql request',
      );
    },
  };
}

/** `query Name(…) {` → Name, without parsing (the request may not even parse). */
function firstOperationName(query: string | undefined): string | null {
  if (!query) return null;
  return (
    /\b(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(query.slice(0, 2000))?.[1] ?? null
  );
}
