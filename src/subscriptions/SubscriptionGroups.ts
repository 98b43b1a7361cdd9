// Over 250 lines on purpose: the group registry, its fan-out and its back-pressure share the
// per-group state (members, queue, source); split, each half would reach into the other.
import { type ExecutionResult, GraphQLError } from 'graphql';
import { ErrorCode } from '../errors/codes.js';
import type { LiveSink } from './LiveSink.js';
import { SharedResult } from './SharedResult.js';

/** What `subscribe` gives: a stream of results, or one result (errors) when it could not start. */
export type SubscribeOutcome = AsyncIterable<ExecutionResult> | ExecutionResult;

export type SubscriptionGroupsOptions = {
  /**
   * Results a member may have waiting before it is ended with SLOW_SUBSCRIBER (its socket does
   * not drain). The others are never held back by it. Default 256.
   */
  maxQueue?: number;
};

/**
 * Shares one GraphQL subscription among every subscriber whose operation, variables and access
 * are identical (the caller builds the key): one source stream and one execution per event for
 * the group, whatever its size; each member only queues the shared result for its own socket.
 * Per-event work then no longer grows with executions × subscribers, and a member costs a queue.
 *
 * The first member starts the source; the source stops when the last member leaves. A member
 * that joins later sees the events from then on, as a subscription without a replay cursor
 * would; the caller must not group operations that replay history (e.g. with `after`).
 */
export class SubscriptionGroups {
  readonly #groups = new Map<string, Group>();
  readonly #maxQueue: number;

  constructor(options: SubscriptionGroupsOptions = {}) {
    this.#maxQueue = options.maxQueue ?? 256;
  }

  /** Groups now running, and their members (metrics, tests). */
  get stats(): { groups: number; members: number } {
    let members = 0;
    for (const g of this.#groups.values()) members += g.size;
    return { groups: this.#groups.size, members };
  }

  /**
   * Joins the group of `key`, starting it with `start` when there is none. Resolves to the
   * member's stream, or to the start's error result (which every member then shares). With a
   * `sink`, results without errors that find the member idle are written through it directly.
   */
  async join(
    key: string,
    start: () => Promise<SubscribeOutcome> | SubscribeOutcome,
    sink?: LiveSink,
  ): Promise<SubscribeOutcome> {
    let group = this.#groups.get(key);
    if (!group) {
      const created: Group = new Group(this.#maxQueue, () => {
        if (this.#groups.get(key) === created) this.#groups.delete(key);
      });
      group = created;
      this.#groups.set(key, created);
      created.start(start);
    }
    const member = group.add(sink);
    const failed = await group.started;
    if (failed) {
      member.return();
      return failed;
    }
    return member;
  }
}

class Group {
  readonly #members = new Set<Member>();
  readonly #maxQueue: number;
  readonly #onEnd: () => void;
  #source: AsyncIterator<ExecutionResult> | null = null;
  #ended = false;
  /** Resolves once the source runs (null), or to the result that replaced it. */
  started: Promise<ExecutionResult | null> = Promise.resolve(null);

  constructor(maxQueue: number, onEnd: () => void) {
    this.#maxQueue = maxQueue;
    this.#onEnd = onEnd;
  }

  get size(): number {
    return this.#members.size;
  }

  start(start: () => Promise<SubscribeOutcome> | SubscribeOutcome): void {
    this.started = (async () => {
      let outcome: SubscribeOutcome;
      try {
        outcome = await start();
      } catch (error) {
        this.#end();
        throw error;
      }
      if (!isAsyncIterable(outcome)) {
        this.#end();
        return outcome;
      }
      this.#source = outcome[Symbol.asyncIterator]();
      // Everyone may have left while the source was starting.
      if (this.#ended) void this.#source.return?.();
      else void this.#pump(this.#source);
      return null;
    })();
  }

  add(sink: LiveSink | undefined): Member {
    const member = new Member(this.#maxQueue, (m) => this.#remove(m), sink);
    this.#members.add(member);
    return member;
  }

  async #pump(source: AsyncIterator<ExecutionResult>): Promise<void> {
    try {
      for (;;) {
        const step = await source.next();
        if (step.done || this.#ended) break;
        const shared = new SharedResult(step.value);
        for (const member of this.#members) member.push(shared);
      }
      for (const member of [...this.#members]) member.finish();
    } catch (error) {
      for (const member of [...this.#members]) member.fail(error);
    } finally {
      this.#end();
    }
  }

  #remove(member: Member): void {
    if (!this.#members.delete(member) || this.#members.size > 0) return;
    this.#end();
    void this.#source?.return?.();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onEnd();
  }
}

type Waiter = { resolve(step: IteratorResult<ExecutionResult>): void; reject(error: unknown): void };

/**
 * One subscriber's view of its group: a queue that graphql-ws drains at its socket's pace. While
 * the subscriber is idle (its next() is waiting and nothing is queued, so nothing of it is in
 * flight), a result without errors goes straight to its sink when it has one: one write instead
 * of a chain of promise hops through every wrapper. Anything else takes the queue, and the sink
 * is used again only once the queue has drained, so frames never overtake each other.
 */
class Member implements AsyncIterableIterator<ExecutionResult> {
  readonly #queue: ExecutionResult[] = [];
  readonly #maxQueue: number;
  readonly #leave: (m: Member) => void;
  readonly #sink: LiveSink | undefined;
  #waiter: Waiter | null = null;
  #done = false;
  #error: unknown = null;

  constructor(maxQueue: number, leave: (m: Member) => void, sink?: LiveSink) {
    this.#maxQueue = maxQueue;
    this.#leave = leave;
    this.#sink = sink;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  push(shared: SharedResult): void {
    if (this.#done) return;
    const { result } = shared;
    if (this.#waiter) {
      if (this.#sink && !result.errors) {
        if (!this.#sink.write(shared)) this.#endSlow();
        return;
      }
      const waiter = this.#waiter;
      this.#waiter = null;
      waiter.resolve({ value: result, done: false });
      return;
    }
    if (this.#queue.length >= this.#maxQueue) {
      this.#endSlow();
      return;
    }
    this.#queue.push(result);
  }

  /** Its last frame says why; the stream then completes and the group forgets it. */
  #endSlow(): void {
    this.#queue.length = 0;
    const last: ExecutionResult = { errors: [slowSubscriber(this.#maxQueue)] };
    this.#done = true;
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = null;
      waiter.resolve({ value: last, done: false });
    } else {
      this.#queue.push(last);
    }
    this.#leave(this);
  }

  finish(): void {
    this.#done = true;
    this.#settleWaiter();
  }

  fail(error: unknown): void {
    this.#error = error;
    this.#done = true;
    this.#settleWaiter();
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve({ value: queued, done: false });
    if (this.#error !== null) {
      const error = this.#error;
      this.#error = null;
      return Promise.reject(error);
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.#queue.length = 0;
    this.#error = null;
    this.#done = true;
    this.#settleWaiter();
    this.#leave(this);
    return Promise.resolve({ value: undefined, done: true });
  }

  #settleWaiter(): void {
    const waiter = this.#waiter;
    if (!waiter) return;
    this.#waiter = null;
    if (this.#error !== null) {
      const error = this.#error;
      this.#error = null;
      waiter.reject(error);
    } else {
      waiter.resolve({ value: undefined, done: true });
    }
  }
}

function slowSubscriber(maxQueue: number): GraphQLError {
  return new GraphQLError(
    `this subscriber fell too far behind (over ${maxQueue} events queued, or its connection not draining) and was ended; resubscribe, with \`after\` set to the last cursor received where the field has one`,
    { extensions: { code: ErrorCode.SLOW_SUBSCRIBER } },
  );
}

function isAsyncIterable(value: SubscribeOutcome): value is AsyncIterable<ExecutionResult> {
  return typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';
}
