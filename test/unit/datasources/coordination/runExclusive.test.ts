import { describe, expect, it } from 'vitest';
import { runExclusive } from '../../../../src/datasources/coordination/runExclusive.js';
import { MemoryKeyValueStore } from '../../../../src/datasources/store/memory/MemoryKeyValueStore.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TTL_MS = 90;

/** `run` under the lock `lock`: lives 90 ms, renewed every 30 ms while `run` works. */
const exclusive = <T>(kv: MemoryKeyValueStore, run: () => Promise<T>) =>
  runExclusive(kv, {
    lockKey: 'lock',
    lockTtlMs: TTL_MS,
    renewMs: TTL_MS / 3,
    waitMs: 1000,
    run,
    onTimeout: () => new Error('busy'),
  });

describe('runExclusive with renewal', () => {
  it('a living holder keeps a short lock for as long as it works', async () => {
    const kv = new MemoryKeyValueStore();
    const order: string[] = [];
    const long = exclusive(kv, async () => {
      order.push('long start');
      await sleep(300);
      order.push('long end');
      return 'long';
    });
    await sleep(20);
    const next = exclusive(kv, async () => {
      order.push('next');
      return 'next';
    });
    expect(await Promise.all([long, next])).toEqual(['long', 'next']);
    // Without renewal the lock would have lapsed at 90 ms and `next` run inside `long`.
    expect(order).toEqual(['long start', 'long end', 'next']);
    expect(await kv.get('lock')).toBeNull();
  });

  it('the lock of a holder that died (no renewal any more) is taken within its lifetime', async () => {
    const kv = new MemoryKeyValueStore();
    await kv.setIfAbsent('lock', 'dead-process', TTL_MS);
    const started = Date.now();
    const waited = await exclusive(kv, async () => Date.now() - started);
    expect(waited).toBeGreaterThanOrEqual(TTL_MS - 10);
    expect(waited).toBeLessThan(600);
  });
});
