import type { ExecutionResult } from 'graphql';
import type { GraphQLParams } from 'graphql-yoga';
import { encodeResult } from './encodeResult.js';
import type { LiveSink } from './LiveSink.js';
import type { ServerContext } from './ServerContext.js';
import type { SharedResult } from './SharedResult.js';
import type { WsConnection } from './WsConnection.js';

/** What an operation gives: one result, a stream of them (a subscription), or nothing to send. */
export type OperationOutcome = ExecutionResult | AsyncIterable<ExecutionResult> | undefined;

/** Runs an operation through the GraphQL pipeline; never rejects for the operation's own errors. */
export type RunOperation = (
  params: GraphQLParams,
  request: Request,
  context: ServerContext,
) => Promise<OperationOutcome>;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * One graphql-ws operation, as graphql-ws iterates it. On graphql-ws' first next() it runs
 * (`run`) and writes every result as a `next` frame itself (WsConnection), yielding nothing:
 * graphql-ws only adds the `complete` once the results end. It is also the operation's LiveSink
 * (a shared subscription's results, written without waiting). return() (the client's
 * `complete`, or the socket closing) ends the result stream at once, even while it waits for an
 * event; an async generator's return() would wait for that event first.
 *
 * A live subscriber lives long, and there is one per socket at large fan-outs: its state is in
 * these fields (no async function frame or closures per subscriber beyond its one pending
 * read), and it lets go of its params and request once the operation has started.
 */
export class WsOperation implements AsyncIterableIterator<never>, LiveSink {
  readonly #id: string;
  readonly #connection: WsConnection;
  readonly #run: RunOperation;
  #input: { params: GraphQLParams; request: Request } | null;
  #outcome: Promise<OperationOutcome> | null = null;
  #begun = false;
  #stream: AsyncIterator<ExecutionResult> | null = null;
  #closed = false;
  #settle: { resolve(step: IteratorResult<never>): void; reject(error: unknown): void } | null = null;

  constructor(
    id: string,
    connection: WsConnection,
    run: RunOperation,
    params: GraphQLParams,
    request: Request,
  ) {
    this.#id = id;
    this.#connection = connection;
    this.#run = run;
    this.#input = { params, request };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * Runs the operation through the pipeline, once (onSubscribe awaits it, to answer a request
   * refused before execution with graphql-ws' `error` message); the outcome waits for next().
   */
  start(): Promise<OperationOutcome> {
    if (!this.#outcome) {
      const input = this.#input;
      this.#input = null;
      this.#outcome = input
        ? this.#run(input.params, input.request, { transport: 'ws', liveSink: this })
        : Promise.resolve(undefined);
    }
    return this.#outcome;
  }

  /** graphql-ws calls it once: the whole operation happens within it. */
  next(): Promise<IteratorResult<never>> {
    if (this.#begun || this.#closed) return Promise.resolve(DONE);
    this.#begun = true;
    return new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
      this.start().then(
        (outcome) => this.#begin(outcome),
        (error: unknown) => this.#fail(error),
      );
    });
  }

  return(): Promise<IteratorResult<never>> {
    this.#closed = true;
    this.#input = null;
    if (!this.#begun) {
      // Started but never iterated (the client left during onSubscribe): end what it opened.
      this.#begun = true;
      void this.#outcome?.then((outcome) => this.#begin(outcome)).catch(() => {});
    }
    this.#finish();
    const stream = this.#stream;
    this.#stream = null;
    return Promise.resolve(stream?.return?.()).then(
      () => DONE,
      () => DONE,
    );
  }

  write(event: SharedResult): boolean {
    return this.#connection.nextNow(this.#id, event.json);
  }

  #begin(outcome: OperationOutcome): void {
    if (outcome === undefined) {
      this.#finish();
      return;
    }
    if (!isAsyncIterable(outcome)) {
      if (this.#closed) return;
      this.#send(outcome, () => this.#finish());
      return;
    }
    const stream = outcome[Symbol.asyncIterator]();
    if (this.#closed) {
      void Promise.resolve(stream.return?.()).catch(() => {});
      return;
    }
    this.#stream = stream;
    this.#pull(stream);
  }

  #pull(stream: AsyncIterator<ExecutionResult>): void {
    stream.next().then(
      (step) => {
        if (step.done || this.#stream !== stream) return this.#finish();
        // The next event is asked for once this frame has left: a subscriber that does not drain
        // holds its stream back (a shared one then queues, up to SubscriptionGroups' maxQueue).
        this.#send(step.value, () => this.#pull(stream));
      },
      (error: unknown) => this.#fail(error),
    );
  }

  #send(result: ExecutionResult, then: () => void): void {
    this.#connection.next(this.#id, encodeResult(result)).then(then, (error: unknown) => this.#fail(error));
  }

  #finish(): void {
    const settle = this.#settle;
    this.#settle = null;
    settle?.resolve(DONE);
  }

  /** graphql-ws answers a failed stream with an `error` message (unless it was returned). */
  #fail(error: unknown): void {
    const stream = this.#stream;
    this.#stream = null;
    if (stream) void Promise.resolve(stream.return?.()).catch(() => {});
    const settle = this.#settle;
    this.#settle = null;
    settle?.reject(error);
  }
}

/**
 * A request error in the spec's sense: refused before execution (parse, validation, limits,
 * persisted operations, auth), so the result has errors and no `data` entry at all.
 */
export function isRequestError(
  outcome: OperationOutcome,
): outcome is ExecutionResult & { errors: NonNullable<ExecutionResult['errors']> } {
  return (
    outcome !== undefined &&
    !isAsyncIterable(outcome) &&
    !('data' in outcome) &&
    (outcome.errors?.length ?? 0) > 0
  );
}

function isAsyncIterable(value: object): value is AsyncIterable<ExecutionResult> {
  return Symbol.asyncIterator in value;
}
