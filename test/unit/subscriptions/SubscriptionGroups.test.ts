import { type ExecutionResult, GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { type SubscribeOutcome, SubscriptionGroups } from '../../../src/subscriptions/SubscriptionGroups.js';

/** A source the test pushes into; records whether it was returned (stopped). */
function controlledSource() {
  const queue: ExecutionResult[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  let failure: Error | null = null;
  const state = { returned: 0, starts: 0 };
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      for (;;) {
        if (failure) throw failure;
        const item = queue.shift();
        if (item) return { value: item, done: false };
        if (ended) return { value: undefined, done: true };
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
    async return() {
      state.returned++;
      ended = true;
      wake?.();
      return { value: undefined, done: true };
    },
  };
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  return {
    state,
    start: (): SubscribeOutcome => {
      state.starts++;
      return iterator;
    },
    emit(n: number) {
      queue.push({ data: { n } });
      poke();
    },
    queueError() {
      queue.push({ errors: [new GraphQLError('boom')] });
      poke();
    },
    end() {
      ended = true;
      poke();
    },
    fail(error: Error) {
      failure = error;
      poke();
    },
  };
}

async function take(stream: SubscribeOutcome, count: number): Promise<unknown[]> {
  const it = (stream as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator]();
  const out: unknown[] = [];
  while (out.length < count) {
    const step = await it.next();
    if (step.done) break;
    out.push(step.value.errors ? step.value.errors.map((e) => e.extensions['code']) : step.value.data);
  }
  return out;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('SubscriptionGroups', () => {
  it('starts one source per key and delivers each result, the same object, to every member', async () => {
    const groups = new SubscriptionGroups();
    const source = controlledSource();
    const members = await Promise.all([1, 2, 3].map(() => groups.join('k', source.start)));
    const other = controlledSource();
    const alone = await groups.join('other', other.start);
    expect(source.state.starts).toBe(1);
    expect(groups.stats).toEqual({ groups: 2, members: 4 });

    const seen = members.map((m) => take(m, 2));
    source.emit(1);
    source.emit(2);
    other.emit(9);
    expect(await Promise.all(seen)).toEqual([1, 2, 3].map(() => [{ n: 1 }, { n: 2 }]));
    expect(await take(alone, 1)).toEqual([{ n: 9 }]);

    const a = (members[0] as AsyncIterableIterator<ExecutionResult>).next();
    const b = (members[1] as AsyncIterableIterator<ExecutionResult>).next();
    source.emit(3);
    expect((await a).value).toBe((await b).value);
  });

  it('gives a late member the results from its join on, and stops the source when the last member leaves', async () => {
    const groups = new SubscriptionGroups();
    const source = controlledSource();
    const first = (await groups.join('k', source.start)) as AsyncIterableIterator<ExecutionResult>;
    const firstSeen = take(first, 2);
    source.emit(1);
    await tick();
    const late = (await groups.join('k', source.start)) as AsyncIterableIterator<ExecutionResult>;
    const lateSeen = take(late, 1);
    source.emit(2);
    expect(await firstSeen).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await lateSeen).toEqual([{ n: 2 }]);

    await first.return?.();
    expect(source.state.returned).toBe(0);
    // A pending next() of the leaving member settles as done at once.
    const pending = late.next();
    await late.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(source.state.returned).toBe(1);
    expect(groups.stats).toEqual({ groups: 0, members: 0 });

    // The next subscriber starts a new source.
    const again = controlledSource();
    await groups.join('k', again.start);
    expect(again.state.starts).toBe(1);
  });

  it('shares a start that fails with a result (e.g. refused) and keeps no group', async () => {
    const groups = new SubscriptionGroups();
    const refused: ExecutionResult = { errors: [] };
    let starts = 0;
    const start = async () => {
      starts++;
      await tick();
      return refused;
    };
    const results = await Promise.all([groups.join('k', start), groups.join('k', start)]);
    expect(results).toEqual([refused, refused]);
    expect(starts).toBe(1);
    expect(groups.stats).toEqual({ groups: 0, members: 0 });
  });

  it('completes every member when the source ends, and rejects them when it throws', async () => {
    const groups = new SubscriptionGroups();
    const ending = controlledSource();
    const m1 = await groups.join('a', ending.start);
    const seen = take(m1, 5);
    ending.emit(1);
    ending.end();
    expect(await seen).toEqual([{ n: 1 }]);
    expect(groups.stats.groups).toBe(0);

    const failing = controlledSource();
    const m2 = (await groups.join('b', failing.start)) as AsyncIterableIterator<ExecutionResult>;
    const next = m2.next();
    failing.fail(new Error('bus down'));
    await expect(next).rejects.toThrow('bus down');
    expect(groups.stats.groups).toBe(0);
  });

  it('ends a member that does not drain with SLOW_SUBSCRIBER, without holding back the others', async () => {
    const groups = new SubscriptionGroups({ maxQueue: 3 });
    const source = controlledSource();
    const slow = await groups.join('k', source.start);
    const fast = await groups.join('k', source.start);
    const fastSeen = take(fast, 5);
    for (let n = 1; n <= 5; n++) {
      source.emit(n);
      await tick();
    }
    expect(await fastSeen).toEqual([1, 2, 3, 4, 5].map((n) => ({ n })));
    // The slow one queued 3, overflowed at the 4th: its stream is one error, then done.
    expect(await take(slow, 10)).toEqual([['SLOW_SUBSCRIBER']]);
    expect(groups.stats).toEqual({ groups: 1, members: 1 });
    expect(source.state.returned).toBe(0);
  });

  it('writes results straight to an idle member sink, and never lets a frame overtake a queued one', async () => {
    const groups = new SubscriptionGroups();
    const source = controlledSource();
    const sunk: unknown[] = [];
    const member = (await groups.join('k', source.start, {
      write: (shared) => {
        sunk.push(shared.result.data);
        return true;
      },
    })) as AsyncIterableIterator<ExecutionResult>;
    // Not idle yet (no next() waiting): results queue.
    source.emit(1);
    source.emit(2);
    await tick();
    expect(sunk).toEqual([]);
    expect((await member.next()).value?.data).toEqual({ n: 1 });
    expect((await member.next()).value?.data).toEqual({ n: 2 });
    // Idle now: the next result goes through the sink, and next() keeps waiting.
    const waiting = member.next();
    source.emit(3);
    await tick();
    expect(sunk).toEqual([{ n: 3 }]);
    // A result with errors takes the ordinary path (masking and formatting apply to it there).
    source.queueError();
    expect((await waiting).value?.errors).toHaveLength(1);
    expect(sunk).toEqual([{ n: 3 }]);
  });

  it('ends a member whose sink does not drain with SLOW_SUBSCRIBER', async () => {
    const groups = new SubscriptionGroups();
    const source = controlledSource();
    const member = (await groups.join('k', source.start, {
      write: () => false,
    })) as AsyncIterableIterator<ExecutionResult>;
    const waiting = member.next();
    source.emit(1);
    expect((await waiting).value?.errors?.map((e: GraphQLError) => e.extensions['code'])).toEqual([
      'SLOW_SUBSCRIBER',
    ]);
    expect(await member.next()).toEqual({ value: undefined, done: true });
    expect(groups.stats).toEqual({ groups: 0, members: 0 });
  });
});
