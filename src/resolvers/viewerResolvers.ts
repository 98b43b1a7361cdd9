import type { Context } from './context.js';

export type ViewerShape = { id: string; scopes: string[]; allCorps: boolean; configuredCorps: string[] };

export function viewer(ctx: Context): ViewerShape {
  const client = ctx.access.requireClient();
  return {
    id: client.id,
    scopes: [...client.scopes],
    allCorps: ctx.access.allCorps,
    configuredCorps: client.corps.filter((c) => c !== '*'),
  };
}

/** `*` clients see every authorized corp; others their configured list (authorized or not yet). */
export async function viewerCorpIds(v: ViewerShape, ctx: Context): Promise<string[]> {
  if (!v.allCorps) return v.configuredCorps;
  return (await ctx.ds.corps.list()).map((c) => c.corpId).sort();
}
