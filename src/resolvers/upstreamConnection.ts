import { badUserInput } from '../errors/codes.js';

/**
 * Relay connections over WeCom's cursor pagination. Upstream gives one cursor per page, so an
 * edge cursor is (the upstream cursor its page was fetched with, how many items of that page
 * precede the next edge); the last edge of a page carries the page's `next_cursor` instead.
 * Cursors stay opaque (base64url JSON) and are passed through, never interpreted.
 */

export type Page<T> = { items: T[]; nextCursor: string; hasMore: boolean };
export type Edge<N> = { cursor: string; node: N };
export type Connection<N> = {
  edges: Edge<N>[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
};

type Position = { c: string; s: number };

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeCursor(after: string | null | undefined): Position {
  if (after === null || after === undefined || after === '') return { c: '', s: 0 };
  try {
    const value = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as Partial<Position>;
    if (typeof value.c === 'string' && Number.isInteger(value.s) && (value.s as number) >= 0) {
      return { c: value.c, s: value.s as number };
    }
  } catch {
    // fall through to the coded error
  }
  throw badUserInput(
    `after must be a cursor returned by this connection, got ${JSON.stringify(after)}`,
    'after',
    after,
  );
}

/**
 * Fetches one upstream page for (`first`, `after`). `toNode` may return null to drop an item
 * (e.g. a search hit whose message is not in the index); its position still advances cursors.
 */
export async function upstreamConnection<T, N>(options: {
  first: number;
  after: string | null | undefined;
  /** Upstream's maximum `limit`. */
  maxLimit: number;
  fetch: (cursor: string | undefined, limit: number) => Promise<Page<T>>;
  toNodes: (items: T[]) => Promise<(N | null)[]> | (N | null)[];
}): Promise<Connection<N>> {
  const at = decodeCursor(options.after);
  const limit = Math.min(options.maxLimit, options.first + at.s);
  const page = await options.fetch(at.c === '' ? undefined : at.c, limit);
  const taken = page.items.slice(at.s, at.s + options.first);
  const nodes = await options.toNodes(taken);
  const edges: Edge<N>[] = [];
  taken.forEach((_, i) => {
    const node = nodes[i];
    const index = at.s + i;
    const endOfPage = index === page.items.length - 1 && page.nextCursor !== '';
    const cursor = encodeCursor(endOfPage ? { c: page.nextCursor, s: 0 } : { c: at.c, s: index + 1 });
    if (node !== null && node !== undefined) edges.push({ cursor, node });
  });
  const consumed = at.s + taken.length;
  const lastCursor =
    taken.length === 0
      ? null
      : encodeCursor(
          consumed === page.items.length && page.nextCursor !== ''
            ? { c: page.nextCursor, s: 0 }
            : { c: at.c, s: consumed },
        );
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasMore || consumed < page.items.length,
      hasPreviousPage: at.c !== '' || at.s > 0,
      startCursor: edges[0]?.cursor ?? null,
      // The end cursor follows the last item consumed, even when its edge was dropped.
      endCursor: lastCursor,
    },
  };
}

/** A connection over a list already in memory (e.g. the corp registry), with the same cursors. */
export function listConnection<N>(
  items: N[],
  first: number,
  after: string | null | undefined,
): Connection<N> {
  const at = decodeCursor(after);
  const taken = items.slice(at.s, at.s + first);
  const edges = taken.map((node, i) => ({ cursor: encodeCursor({ c: '', s: at.s + i + 1 }), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: at.s + taken.length < items.length,
      hasPreviousPage: at.s > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
