import type { SyncError } from '../ingest/SyncStateStore.js';
import { corpSyncState, type SyncStateShape } from '../resolvers/indexResolvers.js';
import { builder } from './builder.js';
import { CorpRef } from './refs.js';

const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));

const SyncErrorRef = builder.objectRef<SyncError>('SyncError').implement({
  fields: (t) => ({
    code: t.exposeString('code'),
    message: t.exposeString('message'),
    at: t.field({ type: 'DateTime', resolve: (e) => new Date(e.at) }),
  }),
});

const SyncStateRef = builder.objectRef<SyncStateShape>('SyncState').implement({
  description: "Health of the corp's archive sync (callbacks → sync_msg → index).",
  fields: (t) => ({
    cursorUpdatedAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (s) => (s.cursorUpdatedAt === null ? null : new Date(s.cursorUpdatedAt)),
    }),
    cursorAgeSeconds: t.int({
      nullable: true,
      description: 'Seconds since the checkpoint last moved.',
      resolve: (s) => (s.cursorUpdatedAt === null ? null : seconds(s.now - s.cursorUpdatedAt)),
    }),
    lagSeconds: t.int({
      description:
        'How long the newest new-message callback has waited for a successful sync (0 when caught up).',
      resolve: (s) =>
        s.lastCallbackAt !== null && (s.lastSyncOkAt === null || s.lastCallbackAt > s.lastSyncOkAt)
          ? seconds(s.now - s.lastCallbackAt)
          : 0,
    }),
    lastCallbackAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (s) => (s.lastCallbackAt === null ? null : new Date(s.lastCallbackAt)),
    }),
    lastSyncAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the last sync started.',
      resolve: (s) => (s.lastSyncStartedAt === null ? null : new Date(s.lastSyncStartedAt)),
    }),
    lastSyncOkAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (s) => (s.lastSyncOkAt === null ? null : new Date(s.lastSyncOkAt)),
    }),
    lastError: t.field({
      type: SyncErrorRef,
      nullable: true,
      description: 'The last failure; cleared by the next successful sync.',
      resolve: (s) => s.lastError,
    }),
    indexedMessages: t.exposeInt('indexedMessages'),
    newestMessageAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.newestMessageAt }),
  }),
});

builder.objectFields(CorpRef, (t) => ({
  syncState: t.field({ type: SyncStateRef, resolve: (corp, _args, ctx) => corpSyncState(corp.corpId, ctx) }),
}));
