import type { IncomingMessage } from 'node:http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

/**
 * Incoming HTTP, outgoing undici (the WeCom client), ioredis and pg. Query strings never reach a
 * span: upstream URLs carry `access_token` / `suite_access_token` (and gettoken's `corpsecret`,
 * a 代开发 app's permanent code), and GraphQL GETs carry
 * variables. Redis spans name the command only (keys name corps, values hold tokens); pg spans
 * carry the statement text, never its parameters (the instrumentation's default).
 */
export function instrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({
      startIncomingSpanHook: () => ({ 'url.query': undefined }),
      requestHook: (span, request) => {
        if (!('socket' in request) || !('url' in request)) return;
        const incoming = request as IncomingMessage;
        span.updateName(`${incoming.method ?? 'HTTP'} ${pathOf(incoming.url ?? '/')}`);
      },
      // Outgoing node:http is the simulator's callback sender in embedded mode; the gateway's
      // own upstream calls go through undici.
      ignoreOutgoingRequestHook: () => true,
    }),
    new UndiciInstrumentation({
      startSpanHook: (request) => ({
        'url.full': `${request.origin}${pathOf(request.path)}`,
        'url.query': undefined,
      }),
    }),
    new IORedisInstrumentation({ dbStatementSerializer: (command) => command }),
    new PgInstrumentation(),
  ];
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
