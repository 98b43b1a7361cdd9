import { describe, expect, it } from 'vitest';
import { ReadCache } from '../../../../src/datasources/readCache/ReadCache.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup(ttlMs = 1000, maxWeight = 100) {
  let now = 10_000;
  const cache = new ReadCache({ ttlMs, maxWeight, now: () => now });
  cache.available = true;
  let loads = 0;
  let value = 'v0';
  const read = (corpId = 'wwA', key = 'k') =>
    cache.read(corpId, key, async () => {
      loads++;
      return value;
    });
  return {
    cache,
    read,
    advance: (ms: number) => (now += ms),
    loads: () => loads,
    set: (v: string) => (value = v),
  };
}

describe('ReadCache', () => {
  it('tells how each read was served: miss, hit, miss once expired, bypass while off', async () => {
    let now = 0;
    const outcomes: string[] = [];
    const cache = new ReadCache({
      ttlMs: 1000,
      maxWeight: 10,
      now: () => now,
      onRead: (o) => outcomes.push(o),
    });
    const read = () => cache.read('wwA', 'k', async () => 'v');
    await read();
    cache.available = true;
    await read();
    await read();
    now += 1000;
    await read();
    cache.available = false;
    await read();
    expect(outcomes).toEqual(['bypass', 'miss', 'hit', 'miss', 'bypass']);
  });

  it('serves a read again until its corp is invalidated, other corps untouched', async () => {
    const c = setup();
    expect(await c.read()).toBe('v0');
    expect(await c.read('wwB')).toBe('v0');
    c.set('v1');
    expect(await c.read()).toBe('v0');
    expect(c.loads()).toBe(2);
    c.cache.invalidate('wwA');
    expect(await c.read()).toBe('v1');
    expect(await c.read('wwB')).toBe('v0');
    expect(c.loads()).toBe(3);
  });

  it('never serves an entry ttlMs or more after its read began', async () => {
    const c = setup(1000);
    await c.read();
    c.set('v1');
    c.advance(999);
    expect(await c.read()).toBe('v0');
    c.advance(1);
    expect(await c.read()).toBe('v1');
    expect(c.loads()).toBe(2);
  });

  it('shares one load among concurrent misses', async () => {
    const c = setup();
    const gate = deferred<string>();
    const load = () => gate.promise;
    const reads = [c.cache.read('wwA', 'k', load), c.cache.read('wwA', 'k', load)];
    gate.resolve('once');
    expect(await Promise.all(reads)).toEqual(['once', 'once']);
  });

  it('drops a read in flight when its corp is invalidated: the value read before is never served after', async () => {
    const c = setup();
    const before = deferred<string>();
    const first = c.cache.read('wwA', 'k', () => before.promise);
    c.cache.invalidate('wwA');
    const second = c.cache.read('wwA', 'k', async () => 'after');
    before.resolve('before');
    expect(await first).toBe('before');
    expect(await second).toBe('after');
    expect(await c.cache.read('wwA', 'k', async () => 'later')).toBe('after');
  });

  it('keeps no failed read', async () => {
    const c = setup();
    await expect(c.cache.read('wwA', 'k', async () => Promise.reject(new Error('down')))).rejects.toThrow(
      'down',
    );
    expect(await c.read()).toBe('v0');
    expect(c.cache.size).toBe(1);
  });

  it('while unavailable reads go to the store and nothing is kept; turning off drops everything', async () => {
    const c = setup();
    await c.read();
    c.cache.available = false;
    expect(c.cache.size).toBe(0);
    await c.read();
    await c.read();
    expect(c.loads()).toBe(3);
    expect(c.cache.size).toBe(0);
    c.cache.available = true;
    await c.read();
    await c.read();
    expect(c.loads()).toBe(4);
  });

  it('evicts the least recently used entries beyond maxWeight', async () => {
    const c = setup(1000, 10);
    const page = (n: number) => async () => Array.from({ length: n }, (_, i) => i);
    await c.cache.read('wwA', 'a', page(4), (v) => v.length);
    await c.cache.read('wwA', 'b', page(4), (v) => v.length);
    await c.cache.read('wwA', 'a', page(4), (v) => v.length); // a is now the most recent
    await c.cache.read('wwB', 'c', page(4), (v) => v.length); // 12 > 10: b goes
    expect(c.cache.size).toBe(2);
    let loaded = false;
    await c.cache.read('wwA', 'a', async () => {
      loaded = true;
      return [];
    });
    expect(loaded).toBe(false);
  });

  it('refuses a bad configuration, showing the value', () => {
    expect(() => new ReadCache({ ttlMs: 0, maxWeight: 1 })).toThrow('ttlMs must be > 0, got 0');
    expect(() => new ReadCache({ ttlMs: 1, maxWeight: 0.5 })).toThrow(
      'maxWeight must be an integer >= 1, got 0.5',
    );
  });
});
