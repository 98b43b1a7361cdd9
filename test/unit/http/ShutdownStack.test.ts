import { afterEach, describe, expect, it, vi } from 'vitest';
import { ShutdownStack } from '../../../src/http/ShutdownStack.js';

describe('ShutdownStack', () => {
  it('stops in reverse order of registration, every step even after a failure, then rejects with the first', async () => {
    const stack = new ShutdownStack();
    const ran: string[] = [];
    const failed: string[] = [];
    stack.defer('stores', () => {
      ran.push('stores');
    });
    stack.defer('ingest', async () => {
      ran.push('ingest');
      throw new Error('ingest stuck');
    });
    stack.defer('http', () => {
      ran.push('http');
      throw new Error('second failure');
    });
    await expect(stack.unwind(1000, (step) => failed.push(step))).rejects.toThrow('second failure');
    expect(ran).toEqual(['http', 'ingest', 'stores']);
    expect(failed).toEqual(['http', 'ingest']);
    // Unwound once: a second call has nothing left to stop.
    await stack.unwind(1000, () => {});
    expect(ran).toHaveLength(3);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives every step what is left of one grace period', async () => {
    vi.useFakeTimers();
    const stack = new ShutdownStack();
    const left: number[] = [];
    const step = (spendMs: number) => (remaining: () => number) => {
      left.push(remaining());
      vi.advanceTimersByTime(spendMs);
    };
    stack.defer('stores', step(0));
    stack.defer('ingest', step(500));
    stack.defer('http', step(60));
    await stack.unwind(100, () => {});
    // Never below 0: the last steps still run, with no time to wait.
    expect(left).toEqual([100, 40, 0]);
  });
});
