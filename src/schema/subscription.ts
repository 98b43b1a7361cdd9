import {
  type MessageEventShape,
  subscribeConsentChanged,
  subscribeCorpAuthorizationChanged,
  subscribeExportTaskUpdated,
  subscribeKeywordHit,
  subscribeMessageAdded,
} from '../resolvers/subscriptionResolvers.js';
import { builder } from './builder.js';
import { ConsentRef, CorpRef, ExportTaskRef, KeywordHitRef, MessageRef } from './refs.js';

const MessageEventRef = builder.objectRef<MessageEventShape>('MessageEvent').implement({
  description: 'One archived message, with the cursor to resume from after it.',
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    message: t.field({ type: MessageRef, resolve: (e) => e.message }),
  }),
});

builder.subscriptionType({
  description:
    'Live events over graphql-ws or SSE, across replicas. Corp and scope are checked when subscribing and for every event.',
});

builder.subscriptionFields((t) => ({
  messageAdded: t.field({
    type: MessageEventRef,
    description:
      'New archived messages of the corp, in archive order. With `after` (a cursor from an earlier event or from ' +
      'Corp.messages / Chat.messages) it first replays what the index holds after it, then continues live: no gap, ' +
      'no duplicate. chatId (a Chat id) and participantId narrow it as in MessageFilter.',
    args: {
      corpId: t.arg.string({ required: true }),
      chatId: t.arg.id(),
      participantId: t.arg.string(),
      after: t.arg.string(),
    },
    subscribe: (_root, args, ctx) => subscribeMessageAdded(args, ctx),
    resolve: (event) => event,
  }),
  keywordHit: t.field({
    type: KeywordHitRef,
    description: 'Keyword-rule hits as hit_keyword callbacks arrive; ruleIds (KeywordRule ids) narrows them.',
    args: { corpId: t.arg.string({ required: true }), ruleIds: t.arg.idList() },
    subscribe: (_root, args, ctx) =>
      subscribeKeywordHit({ ...args, ruleIds: args.ruleIds?.map(String) }, ctx),
    resolve: (hit) => hit,
  }),
  consentChanged: t.field({
    type: ConsentRef,
    description: 'Customers agreeing to archiving (chat_archive_audit_approved_single / _room callbacks).',
    args: { corpId: t.arg.string({ required: true }) },
    subscribe: (_root, args, ctx) => subscribeConsentChanged(args, ctx),
    resolve: (consent) => consent,
  }),
  exportTaskUpdated: t.field({
    type: ExportTaskRef,
    description: 'Export jobs finishing (chat_archive_export_finished callbacks).',
    args: { corpId: t.arg.string({ required: true }) },
    subscribe: (_root, args, ctx) => subscribeExportTaskUpdated(args, ctx),
    resolve: (task) => task,
  }),
  corpAuthorizationChanged: t.field({
    type: CorpRef,
    description: "create_auth / change_auth / cancel_auth of the client's corps.",
    subscribe: (_root, _args, ctx) => subscribeCorpAuthorizationChanged(ctx),
    resolve: (corp) => corp,
  }),
}));
