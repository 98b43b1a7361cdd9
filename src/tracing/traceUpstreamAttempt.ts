import { SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('wecom-archive-gateway/upstream');

/**
 * One attempt of one WeCom API call as a span (`wecom <path>`), parent of undici's HTTP span:
 * the API path, the attempt number (a retry is attempt > 1) and the errcode (0 on success; the
 * upstream's when it answered one; absent for timeouts and transport failures). The URL with
 * its access token is never recorded.
 */
export function traceUpstreamAttempt<T>(path: string, attempt: number, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(
    `wecom ${path}`,
    { attributes: { 'wecom.api.path': path, 'wecom.attempt': attempt, 'wecom.retry': attempt > 1 } },
    async (span) => {
      try {
        const result = await work();
        span.setAttribute('wecom.errcode', 0);
        return result;
      } catch (error) {
        const { errcode, code, retryable } = error as {
          errcode?: unknown;
          code?: unknown;
          retryable?: unknown;
        };
        if (typeof errcode === 'number') span.setAttribute('wecom.errcode', errcode);
        if (typeof code === 'string') span.setAttribute('wecom.error', code);
        if (typeof retryable === 'boolean') span.setAttribute('wecom.retryable', retryable);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
