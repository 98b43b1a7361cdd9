import type { Plugin } from 'graphql-yoga';
import type { GatewayMetrics } from '../metrics/GatewayMetrics.js';

/**
 * Tracks live subscriptions (graphql-ws and SSE both subscribe through envelop) for the
 * `wag_subscriptions_active` gauge, and completes every one of them when `shutdown` aborts, so
 * SSE responses end cleanly and graphql-ws clients get `complete` before the socket closes.
 * One abort listener for all of them (AbortSignal's addEventListener is linear in its listeners).
 */
export function useLiveSubscriptions(metrics: GatewayMetrics, shutdown: AbortSignal): Plugin {
  const open = new Set<{ abort(): void }>();
  shutdown.addEventListener('abort', () => {
    for (const stream of [...open]) stream.abort();
  });
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          const stream = new UntilAborted(result, () => {
            open.delete(stream);
            metrics.subscriptions.dec();
          });
          metrics.subscriptions.inc();
          open.add(stream);
          if (shutdown.aborted) stream.abort();
          setResult(stream as never);
        },
      };
    },
  };
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The source until it ends or `abort()`: abort settles a pending `next()` as done at once (an
 * async generator's own `return()` would wait for its next event), then returns the source.
 */
class UntilAborted<T> implements AsyncIterableIterator<T> {
  readonly #source: AsyncIterator<T>;
  readonly #onEnd: () => void;
  #pending: ((step: IteratorResult<T>) => void) | null = null;
  #closed = false;
  #ended = false;

  constructor(source: AsyncIterable<T>, onEnd: () => void) {
    this.#source = source[Symbol.asyncIterator]();
    this.#onEnd = onEnd;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#closed) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.#pending = resolve;
      this.#source.next().then(
        (step) => {
          this.#pending = null;
          if (step.done) this.#end();
          resolve(step);
        },
        (error: unknown) => {
          this.#pending = null;
          this.#end();
          reject(error);
        },
      );
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.#closed = true;
    this.#end();
    return this.#source.return?.() ?? Promise.resolve(DONE);
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.#closed = true;
    this.#end();
    return this.#source.throw?.(error) ?? Promise.reject(error);
  }

  abort(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending?.(DONE);
    this.#pending = null;
    this.#end();
    this.#source.return?.().catch(() => {});
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onEnd();
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
