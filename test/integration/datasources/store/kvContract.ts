import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../../../src/datasources/store/ports.js';

/** Polls `check` until it holds, with a bound; for TTL expiry, which has no event to wait on. */
export async function eventually(check: () => Promise<boolean>, boundMs = 3000): Promise<void> {
  const until = Date.now() + boundMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${boundMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The behaviour every KeyValueStore implementation must share; run once per implementation. */
export function kvContract(
  name: string,
  make: () => Promise<{ kv: KeyValueStore; dispose(): Promise<void> }>,
) {
  describe(`KeyValueStore contract: ${name}`, () => {
    let kv: KeyValueStore;
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      ({ kv, dispose } = await make());
    });
    afterEach(async () => dispose());

    it('gets what was set and null for missing keys', async () => {
      expect(await kv.get('a')).toBeNull();
      await kv.set('a', '1');
      await kv.set('a', '2');
      expect(await kv.get('a')).toBe('2');
    });

    it('expires keys set with a TTL', async () => {
      await kv.set('ttl', 'x', 60);
      await kv.set('keep', 'y');
      await eventually(async () => (await kv.get('ttl')) === null);
      expect(await kv.get('keep')).toBe('y');
      expect(await kv.keys('ttl')).toEqual([]);
    });

    it('setIfAbsent creates once', async () => {
      expect(await kv.setIfAbsent('lock', 'owner-a', 10_000)).toBe(true);
      expect(await kv.setIfAbsent('lock', 'owner-b', 10_000)).toBe(false);
      expect(await kv.get('lock')).toBe('owner-a');
    });

    it('setIfAbsent succeeds again after the key expired', async () => {
      expect(await kv.setIfAbsent('lease', 'a', 50)).toBe(true);
      await eventually(async () => kv.setIfAbsent('lease', 'b', 10_000));
      expect(await kv.get('lease')).toBe('b');
    });

    it('deleteIfEquals deletes only the matching value', async () => {
      await kv.set('lock', 'owner-a');
      expect(await kv.deleteIfEquals('lock', 'owner-b')).toBe(false);
      expect(await kv.get('lock')).toBe('owner-a');
      expect(await kv.deleteIfEquals('lock', 'owner-a')).toBe(true);
      expect(await kv.get('lock')).toBeNull();
      expect(await kv.deleteIfEquals('lock', 'owner-a')).toBe(false);
    });

    it('extendIfEquals renews only the owner’s lease', async () => {
      await kv.set('lease', 'a', 100);
      expect(await kv.extendIfEquals('lease', 'b', 60_000)).toBe(false);
      expect(await kv.extendIfEquals('lease', 'a', 60_000)).toBe(true);
      expect(await kv.extendIfEquals('missing', 'a', 60_000)).toBe(false);
      // Had the renewal failed, the 100 ms lease would be gone by the time a 200 ms one expires.
      await kv.set('probe', 'p', 200);
      await eventually(async () => (await kv.get('probe')) === null);
      expect(await kv.get('lease')).toBe('a');
    });

    it('deletes several keys at once and tolerates none', async () => {
      await kv.set('x', '1');
      await kv.set('y', '2');
      await kv.delete('x', 'y', 'never-set');
      await kv.delete();
      expect(await kv.get('x')).toBeNull();
      expect(await kv.get('y')).toBeNull();
    });

    it('lists keys under a prefix, without the store prefix, matching glob characters literally', async () => {
      await kv.set('corp:a', '1');
      await kv.set('corp:b', '1');
      await kv.set('corpx', '1');
      await kv.set('c*p:z', '1');
      expect((await kv.keys('corp:')).sort()).toEqual(['corp:a', 'corp:b']);
      expect(await kv.keys('c*p:')).toEqual(['c*p:z']);
      expect(await kv.keys('nothing:')).toEqual([]);
    });

    it('rejects a non-positive TTL with the bad value', async () => {
      await expect(kv.set('k', 'v', 0)).rejects.toThrow(
        'ttlMs must be a positive number of milliseconds, got 0',
      );
      await expect(kv.setIfAbsent('k', 'v', -5)).rejects.toThrow('got -5');
    });

    it('answers ping', async () => {
      await expect(kv.ping()).resolves.toBeUndefined();
    });
  });
}
