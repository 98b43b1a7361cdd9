import type { SyncError } from '../ingest/SyncStateStore.js';
import { corpSyncState, type SyncStateShape } from '../resolvers/indexResolvers.js';
import { corpQuarantinedRecords, type QuarantinedRecordShape } from '../resolvers/quarantineResolvers.js';
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
    quarantined: t.exposeInt('quarantined', {
      description:
        'sync_msg records kept aside because they broke the documented shape (see Corp.quarantinedRecords); the rest of their page was archived and the sync went on.',
    }),
    newestMessageAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.newestMessageAt }),
  }),
});

const QuarantinedRecordRef = builder.objectRef<QuarantinedRecordShape>('QuarantinedRecord').implement({
  description:
    'A sync_msg record that broke the documented shape, kept aside with the reason; it never stops the corp.',
  fields: (t) => ({
    msgid: t.exposeString('msgid', {
      nullable: true,
      description: 'Null when the record had no usable msgid.',
    }),
    reason: t.exposeString('reason', { description: 'What was wrong, field by field.' }),
    raw: t.exposeString('raw', { description: 'The record as the upstream sent it (JSON).' }),
    recordedAt: t.field({ type: 'DateTime', resolve: (q) => new Date(q.recordedAt) }),
  }),
});

const QuarantinedEdgeRef = builder
  .objectRef<{ cursor: string; node: QuarantinedRecordShape }>('QuarantinedRecordEdge')
  .implement({
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      node: t.field({ type: QuarantinedRecordRef, resolve: (e) => e.node }),
    }),
  });

const QuarantinedConnectionRef = builder
  .objectRef<{
    edges: { cursor: string; node: QuarantinedRecordShape }[];
    hasNextPage: boolean;
    endCursor: string | null;
  }>('QuarantinedRecordConnection')
  .implement({
    fields: (t) => ({
      edges: t.field({ type: [QuarantinedEdgeRef], resolve: (c) => c.edges }),
      hasNextPage: t.exposeBoolean('hasNextPage'),
      endCursor: t.exposeString('endCursor', { nullable: true }),
    }),
  });

builder.objectFields(CorpRef, (t) => ({
  syncState: t.field({ type: SyncStateRef, resolve: (corp, _args, ctx) => corpSyncState(corp.corpId, ctx) }),
  quarantinedRecords: t.field({
    type: QuarantinedConnectionRef,
    description: 'sync_msg records kept aside, oldest first.',
    args: { first: t.arg.int({ defaultValue: 20 }), after: t.arg.string() },
    resolve: (corp, args, ctx) => corpQuarantinedRecords(corp.corpId, args, ctx),
  }),
}));
