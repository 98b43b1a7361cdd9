import { z } from 'zod';
import type { PublicKeyInfo } from '../datasources/corps/ports.js';
import type { CorpRecord } from '../datasources/store/ports.js';
import type { Context } from './context.js';
import { type CorpEdition, toCorpEdition } from './corpEdition.js';
import { forCorp } from './forCorp.js';
import type { AuthorizedUserShape } from './shapes.js';
import { type Connection, listConnection, upstreamConnection } from './upstreamConnection.js';
import { after, first } from './validation/rules.js';
import { validate } from './validation/validate.js';

const pageArgs = z.object({ first: first(100), after });

/** The client's corps, sorted by corpId; needs corp:read. A cancelled corp is gone from the registry. */
export async function listCorps(
  args: { first?: number | null; after?: string | null },
  ctx: Context,
): Promise<Connection<CorpRecord>> {
  ctx.access.requireScope('corp:read');
  const page = validate(pageArgs, args);
  const corps = (await ctx.ds.corps.list())
    .filter((c) => ctx.access.canSeeCorp(c.corpId))
    .sort((a, b) => (a.corpId < b.corpId ? -1 : a.corpId > b.corpId ? 1 : 0));
  return listConnection(corps, page.first, page.after);
}

/**
 * FORBIDDEN outside the client's corps (checked before the lookup); null when not authorized yet.
 * From the replica's read cache (a write on any replica drops it everywhere).
 */
export async function loadCorp(corpId: string, ctx: Context): Promise<CorpRecord | null> {
  ctx.access.requireCorp(corpId);
  return ctx.ds.corpReads.get(corpId);
}

/** get_corp_auth_info; a cancelled corp has no editions and is not asked (upstream would refuse). */
export async function corpEditions(corp: CorpRecord, ctx: Context): Promise<CorpEdition[]> {
  const loaders = forCorp(ctx, corp.corpId);
  if (corp.status !== 'ACTIVE') return [];
  const info = await loaders.corpAuthInfo.load('info');
  return info.auth_edition_list.map(toCorpEdition);
}

export async function corpPublicKey(corp: CorpRecord, ctx: Context): Promise<PublicKeyInfo | null> {
  ctx.access.requireCorp(corp.corpId);
  return ctx.ds.keys.current(corp.corpId);
}

export async function rotatePublicKey(args: { corpId: string }, ctx: Context): Promise<PublicKeyInfo> {
  ctx.access.requireCorp(args.corpId, 'admin');
  return ctx.ds.keys.rotate(args.corpId);
}

/** get_auth_user_list; upstream cursors pass through as opaque connection cursors. */
export async function authorizedUsers(
  corp: CorpRecord,
  args: { first?: number | null; after?: string | null },
  ctx: Context,
): Promise<Connection<AuthorizedUserShape>> {
  forCorp(ctx, corp.corpId);
  const page = validate(pageArgs, args);
  return upstreamConnection({
    first: page.first,
    after: page.after,
    maxLimit: 1000,
    fetch: async (cursor, limit) => {
      const res = await ctx.ds.api.chatdata(corp.corpId, 'get_auth_user_list', { cursor, limit });
      return {
        items: res.auth_user_list.map((u) => ({ type: 1, id: u.open_userid, editions: u.edition_list })),
        nextCursor: res.next_cursor,
        hasMore: res.has_more,
      };
    },
    toNodes: (items) => items,
  });
}
