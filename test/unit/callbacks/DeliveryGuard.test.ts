import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeliveryGuard, PENDING_CLAIM_TTL_MS } from '../../../src/callbacks/DeliveryGuard.js';
import { MemoryKeyValueStore } from '../../../src/datasources/store/memory/MemoryKeyValueStore.js';

const SIG = 'a'.repeat(40);

// The real memory store reads Date.now for expiry, so the test moves the system clock.
afterEach(() => {
  vi.useRealTimers();
});

function setup() {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(1_712_540_000_000);
  const clock = { advance: (ms: number) => vi.setSystemTime(Date.now() + ms) };
  const kv = new MemoryKeyValueStore();
  return { clock, kv, guard: new DeliveryGuard(kv, 300), ts: Date.now() / 1000 };
}

describe('DeliveryGuard', () => {
  it('claims a fresh delivery, reports it pending while handled, and done after completion', async () => {
    const { guard, ts } = setup();
    const first = await guard.claim(SIG, 'n1', ts);
    expect(first.kind).toBe('claimed');
    expect((await guard.claim(SIG, 'n1', ts)).kind).toBe('pending');
    if (first.kind === 'claimed') await first.complete();
    expect((await guard.claim(SIG, 'n1', ts)).kind).toBe('done');
  });

  it('treats a different nonce as a different delivery', async () => {
    const { guard, ts } = setup();
    expect((await guard.claim(SIG, 'n1', ts)).kind).toBe('claimed');
    expect((await guard.claim(SIG, 'n2', ts)).kind).toBe('claimed');
  });

  it('lets a released (failed) delivery be claimed again', async () => {
    const { guard, ts } = setup();
    const first = await guard.claim(SIG, 'n1', ts);
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    await first.release();
    expect((await guard.claim(SIG, 'n1', ts)).kind).toBe('claimed');
  });

  it('frees a claim abandoned by a crash after the pending TTL', async () => {
    const { guard, clock, ts } = setup();
    await guard.claim(SIG, 'n1', ts);
    clock.advance(PENDING_CLAIM_TTL_MS + 1);
    expect((await guard.claim(SIG, 'n1', ts)).kind).toBe('claimed');
  });

  it('remembers a done delivery until its timestamp leaves the skew window', async () => {
    const { guard, clock, ts } = setup();
    const first = await guard.claim(SIG, 'n1', ts);
    if (first.kind === 'claimed') await first.complete();
    clock.advance(299_000);
    expect((await guard.claim(SIG, 'n1', ts)).kind).toBe('done');
    clock.advance(3_000);
    expect((await guard.claim(SIG, 'n1', ts)).kind).toBe('claimed');
  });

  it('stores no raw signature or nonce in its keys', async () => {
    const { guard, kv, ts } = setup();
    await guard.claim(SIG, 'nonce-visible', ts);
    const keys = await kv.keys('');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^callback:delivery:[0-9a-f]{64}$/);
  });
});
