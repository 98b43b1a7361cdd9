import { describe, expect, it } from 'vitest';
import { LruCache } from '../../../../src/datasources/store/LruCache.js';

describe('LruCache', () => {
  it('evicts the least recently used entry past its bound', () => {
    const lru = new LruCache<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.size).toBe(2);
    lru.deleteWhere((k) => k === 'a');
    expect(lru.get('a')).toBeUndefined();
    expect(() => new LruCache(0)).toThrow('max must be an integer >= 1, got 0');
  });
});
