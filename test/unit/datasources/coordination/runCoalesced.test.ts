import { describe, expect, it } from 'vitest';
import { runCoalesced } from '../../../../src/datasources/coordination/runCoalesced.js';
import { MemoryKeyValueStore } from '../../../../src/datasources/store/memory/MemoryKeyValueStore.js';
import { waitFor } from '../../../helpers/waitFor.js';

describe('runCoalesced', () => {
  it('coalesces concurrent requests into passes of one holder', async () => {
    const kv = new MemoryKeyValueStore();
    let running = 0;
    let maxRunning = 0;
    let passes = 0;
    const pass = async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      passes++;
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return passes;
    };
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => runCoalesced(kv, 'job', 'me', 1000, pass)),
    );
    expect(maxRunning).toBe(1);
    expect(outcomes.filter((o) => o.ran)).toHaveLength(1);
    // The holder's first pass, plus at most one more for the requests that arrived meanwhile.
    expect(passes).toBeLessThanOrEqual(2);
  });

  it('takes over from a holder that died with the lease: the request is not lost', async () => {
    const kv = new MemoryKeyValueStore();
    // A crashed process left its lease (it will lapse) and nobody to take up the flag.
    await kv.setIfAbsent('job:lock', 'dead-process', 300);
    let passes = 0;
    const outcome = await runCoalesced(kv, 'job', 'me', 300, async () => ++passes);
    expect(outcome.ran).toBe(false);
    expect(passes).toBe(0);
    await waitFor('the follow-up pass', () => passes === 1, 5000);
    expect(await kv.get('job:pending')).toBeNull();
  });

  it('leaves a live holder alone: the follower ends once the holder took the request', async () => {
    const kv = new MemoryKeyValueStore();
    let holderPasses = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const holder = runCoalesced(kv, 'job', 'holder', 300, async () => {
      holderPasses++;
      if (holderPasses === 1) await gate;
    });
    await waitFor('the holder running', () => holderPasses === 1);
    let followerPasses = 0;
    const second = await runCoalesced(kv, 'job', 'other', 300, async () => ++followerPasses);
    expect(second.ran).toBe(false);
    release();
    await holder;
    // The holder saw the second request's flag and ran one more pass; the follower ran none.
    expect(holderPasses).toBe(2);
    await new Promise((r) => setTimeout(r, 500));
    expect(followerPasses).toBe(0);
  });
});
