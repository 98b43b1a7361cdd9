import type { Plugin } from 'graphql-yoga';
import type { GatewayMetrics } from '../metrics/GatewayMetrics.js';

/**
 * Tracks live subscriptions (graphql-ws and SSE both subscribe through envelop) for the
 * `wag_subscriptions_active` gauge, and completes every one of them when `shutdown` aborts, so
 * SSE responses end cleanly and graphql-ws clients get `complete` before the socket closes.
 */
export function useLiveSubscriptions(metrics: GatewayMetrics, shutdown: AbortSignal): Plugin {
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          setResult(untilAborted(result, shutdown, metrics) as never);
        },
      };
    },
  };
}

async function* untilAborted<T>(
  source: AsyncIterable<T>,
  signal: AbortSignal,
  metrics: GatewayMetrics,
): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const aborted = new Promise<IteratorReturnResult<undefined>>((resolve) => {
    if (signal.aborted) resolve({ done: true, value: undefined });
    signal.addEventListener('abort', () => resolve({ done: true, value: undefined }), { once: true });
  });
  metrics.subscriptions.inc();
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    metrics.subscriptions.dec();
    await iterator.return?.();
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
