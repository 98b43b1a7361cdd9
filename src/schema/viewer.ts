import { viewer, viewerCorpIds } from '../resolvers/viewerResolvers.js';
import { builder } from './builder.js';
import { ViewerRef } from './refs.js';

builder.objectType(ViewerRef, {
  description: 'The calling API client.',
  fields: (t) => ({
    id: t.exposeString('id'),
    scopes: t.exposeStringList('scopes', { description: 'corp:read, content:display, rules:write, …' }),
    allCorps: t.exposeBoolean('allCorps', { description: 'Granted every corp ("*").' }),
    corpIds: t.stringList({
      description: 'The corps this client may access (for "*": every authorized corp).',
      resolve: (v, _args, ctx) => viewerCorpIds(v, ctx),
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({ type: ViewerRef, resolve: (_root, _args, ctx) => viewer(ctx) }),
}));
