import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logging/Logger.js';
import type { GatewayMetrics } from '../metrics/GatewayMetrics.js';
import type { ServerContext } from '../subscriptions/ServerContext.js';

const PROTECTION_BY_CODE: Record<string, string> = {
  CSRF_HEADER_REQUIRED: 'csrf',
  PERSISTED_QUERY_ONLY: 'persisted',
  PERSISTED_QUERY_NOT_FOUND: 'persisted',
  INTROSPECTION_DISABLED: 'introspection',
};

type Entry = { at: number; operation: string | null };
type Outcome = ExecutionResult | readonly ExecutionResult[] | AsyncIterable<unknown> | undefined;

/**
 * Counts and times every GraphQL operation, by operation name, transport and outcome, the outcome
 * being `ok` or the first error's code; also the one debug line per operation, with its request
 * id. HTTP and SSE are counted once yoga answers the request (so refusals before the params, as
 * CSRF, count too); graphql-ws operations, which have no response of their own, once yoga has
 * their result.
 */
export function useGraphqlMetrics(metrics: GatewayMetrics, logger: Logger): Plugin {
  const started = new WeakMap<Request, Entry>();
  const finish = (request: Request, result: Outcome, transport: 'http' | 'sse' | 'ws'): void => {
    const entry = started.get(request);
    if (!entry) return;
    started.delete(request);
    const streaming = isStream(result);
    const first = streaming ? undefined : Array.isArray(result) ? result[0] : (result as ExecutionResult);
    const code = first?.errors?.[0]?.extensions?.['code'];
    const outcome = first?.errors?.length ? (typeof code === 'string' ? code : 'error') : 'ok';
    const operation = metrics.operationLabel(entry.operation);
    const seconds = (performance.now() - entry.at) / 1000;
    metrics.graphqlRequests.inc({ operation, transport, outcome });
    metrics.graphqlDuration.observe({ operation, outcome }, seconds);
    const protection = PROTECTION_BY_CODE[outcome];
    if (protection) metrics.rejections.inc({ protection });
    logger.debug(
      {
        requestId: request.headers.get('x-request-id'),
        operation,
        transport,
        outcome,
        ms: Math.round(seconds * 1000),
      },
      'graphql request',
    );
  };
  return {
    onRequest({ request }) {
      started.set(request, { at: performance.now(), operation: null });
    },
    onParams({ params, request }) {
      let entry = started.get(request);
      if (!entry) {
        // A graphql-ws operation starts here: yoga sees no HTTP request of it.
        entry = { at: performance.now(), operation: null };
        started.set(request, entry);
      }
      entry.operation = params.operationName ?? firstOperationName(params.query);
    },
    onExecutionResult({ request, result, context }) {
      if ((context as ServerContext).transport === 'ws') finish(request, result as Outcome, 'ws');
    },
    onResultProcess({ request, result }) {
      finish(request, result as Outcome, isStream(result as Outcome) ? 'sse' : 'http');
    },
  };
}

function isStream(result: Outcome): result is AsyncIterable<unknown> {
  return typeof result === 'object' && !Array.isArray(result) && Symbol.asyncIterator in result;
}

/** `query Name(…) {` → Name, without parsing (the request may not even parse). */
function firstOperationName(query: string | undefined): string | null {
  if (!query) return null;
  return (
    /\b(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(query.slice(0, 2000))?.[1] ?? null
  );
}
