import { describe, expect, it } from 'vitest';
import { type Connection, type Page, upstreamConnection } from '../../../src/resolvers/upstreamConnection.js';

/** An upstream of 7 items paged by an opaque cursor (the index), like WeCom's next_cursor. */
function upstream(items: string[]) {
  const requests: { cursor: string | undefined; limit: number }[] = [];
  const fetch = async (cursor: string | undefined, limit: number): Promise<Page<string>> => {
    requests.push({ cursor, limit });
    const start = cursor ? Number(cursor.slice(1)) : 0;
    const slice = items.slice(start, start + limit);
    const next = start + slice.length;
    return { items: slice, nextCursor: next < items.length ? `c${next}` : '', hasMore: next < items.length };
  };
  return { fetch, requests };
}

const ITEMS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

async function walk(first: number, drop: (s: string) => boolean = () => false) {
  const up = upstream(ITEMS);
  const seen: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 20; i++) {
    const page: Connection<string> = await upstreamConnection({
      first,
      after,
      maxLimit: 100,
      fetch: up.fetch,
      toNodes: (items) => items.map((s) => (drop(s) ? null : s)),
    });
    seen.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return { seen, requests: up.requests };
}

describe('upstreamConnection', () => {
  it('walks every item exactly once and passes upstream cursors through', async () => {
    const { seen, requests } = await walk(3);
    expect(seen).toEqual(ITEMS);
    expect(requests.map((r) => r.cursor)).toEqual([undefined, 'c3', 'c6']);
  });

  it('resumes from a mid-page edge cursor without skipping or repeating', async () => {
    const up = upstream(ITEMS);
    const page = await upstreamConnection({
      first: 4,
      after: null,
      maxLimit: 100,
      fetch: up.fetch,
      toNodes: (i) => i,
    });
    const resume = await upstreamConnection({
      first: 2,
      after: page.edges[1]!.cursor,
      maxLimit: 100,
      fetch: up.fetch,
      toNodes: (i) => i,
    });
    expect(resume.edges.map((e) => e.node)).toEqual(['c', 'd']);
  });

  it('skips dropped nodes but still advances past them', async () => {
    const { seen } = await walk(2, (s) => s === 'b' || s === 'e');
    expect(seen).toEqual(['a', 'c', 'd', 'f', 'g']);
  });

  it('rejects a cursor it did not issue', async () => {
    const up = upstream(ITEMS);
    await expect(
      upstreamConnection({ first: 2, after: 'nope', maxLimit: 100, fetch: up.fetch, toNodes: (i) => i }),
    ).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
    expect(up.requests).toEqual([]);
  });
});
