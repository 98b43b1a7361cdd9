import type { Scope } from '../config/config.js';
import type { Context } from './context.js';
import type { CorpLoaders } from './createCorpLoaders.js';

/**
 * The gate in front of every corp-scoped read or write: checks corp and scope, then hands out
 * that corp's per-request loaders. Nested resolvers call it again (cheap), so a Corp reached by
 * any path, including `node`, never bypasses the check.
 */
export function forCorp(ctx: Context, corpId: string, scope: Scope = 'corp:read'): CorpLoaders {
  ctx.access.requireCorp(corpId, scope);
  return ctx.loaders.corp(corpId);
}
