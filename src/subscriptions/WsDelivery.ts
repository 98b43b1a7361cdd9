import type { ExecutionResult } from 'graphql';
import { encodeResult } from './encodeResult.js';
import type { WsConnection } from './WsConnection.js';

/** What an operation gives: one result, a stream of them (a subscription), or nothing to send. */
export type OperationOutcome = ExecutionResult | AsyncIterable<ExecutionResult> | undefined;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * What graphql-ws iterates for one operation. On graphql-ws' first next() it runs the operation
 * (`run`) and writes every result as a `next` frame itself (WsConnection), yielding nothing:
 * graphql-ws only adds the `complete` once the results end. return() (the client's `complete`,
 * or the socket closing) ends the result stream at once, even while it waits for an event; an
 * async generator's own return() would wait for that event first.
 */
export class WsDelivery implements AsyncIterableIterator<never> {
  readonly #id: string;
  readonly #connection: WsConnection;
  readonly #run: () => Promise<OperationOutcome>;
  #stream: AsyncIterator<ExecutionResult> | null = null;
  #started = false;
  #closed = false;
  #settle: (() => void) | null = null;

  constructor(id: string, connection: WsConnection, run: () => Promise<OperationOutcome>) {
    this.#id = id;
    this.#connection = connection;
    this.#run = run;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<never>> {
    if (this.#started || this.#closed) return Promise.resolve(DONE);
    this.#started = true;
    return new Promise((resolve, reject) => {
      this.#settle = () => resolve(DONE);
      this.#deliver().then(
        () => this.#finish(),
        (error: unknown) => {
          // graphql-ws answers a failed stream with an `error` message (unless already returned).
          if (this.#settle) reject(error);
          this.#settle = null;
        },
      );
    });
  }

  return(): Promise<IteratorResult<never>> {
    this.#closed = true;
    this.#finish();
    const stream = this.#stream;
    this.#stream = null;
    return Promise.resolve(stream?.return?.()).then(
      () => DONE,
      () => DONE,
    );
  }

  async #deliver(): Promise<void> {
    const outcome = await this.#run();
    if (outcome === undefined) return;
    if (!isAsyncIterable(outcome)) {
      if (!this.#closed) await this.#connection.next(this.#id, encodeResult(outcome));
      return;
    }
    const stream = outcome[Symbol.asyncIterator]();
    if (this.#closed) {
      await stream.return?.();
      return;
    }
    this.#stream = stream;
    try {
      for (;;) {
        const step = await stream.next();
        if (step.done || this.#closed) return;
        // Waits for the frame to leave: a subscriber that does not drain holds its stream back
        // (a shared one then queues, up to SubscriptionGroups' maxQueue).
        await this.#connection.next(this.#id, encodeResult(step.value));
      }
    } catch (error) {
      if (this.#stream) void Promise.resolve(this.#stream.return?.()).catch(() => {});
      throw error;
    } finally {
      this.#stream = null;
    }
  }

  #finish(): void {
    const settle = this.#settle;
    this.#settle = null;
    settle?.();
  }
}

function isAsyncIterable(value: object): value is AsyncIterable<ExecutionResult> {
  return Symbol.asyncIterator in value;
}
