import { describe, expect, it } from 'vitest';
import { runExclusive } from '../../../../src/datasources/coordination/runExclusive.js';
import { MemoryKeyValueStore } from '../../../../src/datasources/store/memory/MemoryKeyValueStore.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const busy = () => new Error('busy');

describe('runExclusive with renewal', () => {
  it('a living holder keeps a short lock for as long as it works', async () => {
    const kv = new MemoryKeyValueStore();
    const order: string[] = [];
    const long = runExclusive(kv, {
      lockKey: 'lock',
      lockTtlMs: 90,
      renewMs: 30,
      waitMs: 1000,
      run: async () => {
        order.push('long start');
        await sleep(300);
        order.push('long end');
        return 'long';
      },
      onTimeout: busy,
    });
    await sleep(20);
    const next = runExclusive(kv, {
      lockKey: 'lock',
      lockTtlMs: 90,
      renewMs: 30,
      waitMs: 1000,
      run: async () => {
        order.push('next');
        return 'next';
      },
      onTimeout: busy,
    });
    expect(await Promise.all([long, next])).toEqual(['long', 'next']);
    // Without renewal the lock would have lapsed at 90 ms and `next` run inside `long`.
    expect(order).toEqual(['long start', 'long end', 'next']);
    expect(await kv.get('lock')).toBeNull();
  });

  it('the lock of a holder that died (no renewal any more) is taken within its lifetime', async () => {
    const kv = new MemoryKeyValueStore();
    await kv.setIfAbsent('lock', 'dead-process', 100);
    const started = Date.now();
    const result = await runExclusive(kv, {
      lockKey: 'lock',
      lockTtlMs: 100,
      renewMs: 33,
      waitMs: 1000,
      run: async () => Date.now() - started,
      onTimeout: busy,
    });
    expect(result).toBeGreaterThanOrEqual(90);
    expect(result).toBeLessThan(600);
  });
});
