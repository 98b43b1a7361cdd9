import { describe, expect, it } from 'vitest';
import { FoldTrigger } from '../../../src/stats/FoldTrigger.js';

function trigger(maxLagMs: number) {
  let now = 1_000;
  const folds: string[] = [];
  const t = new FoldTrigger(
    (corpId) => folds.push(corpId),
    maxLagMs,
    () => now,
  );
  return { t, folds, advance: (ms: number) => (now += ms) };
}

describe('FoldTrigger', () => {
  it('folds a corp once its drain ends, not after every page', () => {
    const { t, folds, advance } = trigger(5000);
    for (let page = 0; page < 10; page++) {
      t.committed('wwA');
      advance(300);
    }
    expect(folds).toEqual([]);
    t.drained('wwA');
    expect(folds).toEqual(['wwA']);
    // A drain that committed nothing new folds nothing.
    t.drained('wwA');
    expect(folds).toEqual(['wwA']);
  });

  it('folds at least every maxLagMs during a long drain, and keeps corps apart', () => {
    const { t, folds, advance } = trigger(1000);
    t.committed('wwA');
    t.committed('wwB');
    advance(999);
    t.committed('wwA');
    expect(folds).toEqual([]);
    advance(1);
    t.committed('wwA');
    expect(folds).toEqual(['wwA']);
    // The lag restarts from the next commit after a fold.
    advance(5000);
    t.committed('wwA');
    expect(folds).toEqual(['wwA']);
    t.drained('wwB');
    t.drained('wwA');
    expect(folds).toEqual(['wwA', 'wwB', 'wwA']);
  });
});
