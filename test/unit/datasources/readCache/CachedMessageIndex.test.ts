import { describe, expect, it } from 'vitest';
import { CachedMessageIndex } from '../../../../src/datasources/readCache/CachedMessageIndex.js';
import { ReadCache } from '../../../../src/datasources/readCache/ReadCache.js';
import type { MessageIndex } from '../../../../src/datasources/store/MessageIndex.js';

function setup(overrides: Partial<MessageIndex> = {}) {
  const calls: string[] = [];
  const inner = {
    query: async (q) => {
      calls.push(`query after=${q.after}`);
      return { items: [], hasMore: false, endSeq: null };
    },
    count: async () => {
      calls.push('count');
      return 0;
    },
    lastSeq: async () => {
      calls.push('lastSeq');
      return 0;
    },
    commitPage: async () => [],
    append: async () => [],
    dropBefore: async () => 0,
    purgeCorp: async () => {},
    ...overrides,
  } as MessageIndex;
  const cache = new ReadCache({ ttlMs: 60_000, maxWeight: 1000 });
  cache.available = true;
  const changed: (string | null)[] = [];
  const index = new CachedMessageIndex(inner, cache, (corpId) => {
    changed.push(corpId);
    if (corpId === null) cache.invalidateAll();
    else cache.invalidate(corpId);
  });
  return { index, calls, changed };
}

const msg = {
  corpId: 'wwA',
  msgid: 'm1',
  sender: { type: 1, id: 'wo' },
  receivers: [],
  chatId: null,
  sendTime: 1,
  msgtype: 1,
  encryptedSecretKey: '',
  publicKeyVersion: 1,
};

describe('CachedMessageIndex', () => {
  it('caches first pages and counts, never pages after a cursor or lastSeq', async () => {
    const { index, calls } = setup();
    for (let i = 0; i < 2; i++) {
      await index.query({ corpId: 'wwA', first: 20, direction: 'desc' });
      await index.query({ corpId: 'wwA', first: 20, after: 5 });
      await index.count({ corpId: 'wwA' });
      await index.lastSeq('wwA');
    }
    expect(calls).toEqual([
      'query after=undefined',
      'query after=5',
      'count',
      'lastSeq',
      'query after=5',
      'lastSeq',
    ]);
  });

  it('announces every write of messages, also a failed one (it may have committed); an empty page not', async () => {
    const { index, changed } = setup({
      append: async () => {
        throw new Error('connection lost after COMMIT');
      },
    });
    await index.commitPage('wwA', { messages: [msg], now: 0 });
    await index.commitPage('wwA', { messages: [], cursor: { from: null, to: 'c1' }, now: 0 });
    await expect(index.append('wwB', [msg])).rejects.toThrow('connection lost');
    await index.purgeCorp('wwC');
    expect(changed).toEqual(['wwA', 'wwB', 'wwC']);
  });

  it('announces retention for every corp only when it removed something or failed', async () => {
    let removed = 0;
    let fail = false;
    const { index, changed } = setup({
      dropBefore: async () => {
        if (fail) throw new Error('lock timeout');
        return removed;
      },
    });
    await index.dropBefore(100);
    expect(changed).toEqual([]);
    removed = 3;
    await index.dropBefore(100);
    fail = true;
    await expect(index.dropBefore(100)).rejects.toThrow('lock timeout');
    expect(changed).toEqual([null, null]);
  });
});
