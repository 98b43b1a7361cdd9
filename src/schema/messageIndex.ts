import { chatMessages, corpMessages, messageHits } from '../resolvers/indexResolvers.js';
import { builder } from './builder.js';
import { MessageType } from './message.js';
import { ChatRef, CorpRef, KeywordHitRef, MessageConnection, MessageRef } from './refs.js';

export const MessageFilter = builder.inputType('MessageFilter', {
  description: 'Filters of the index-backed listings; all optional, combined with AND.',
  fields: (t) => ({
    chatId: t.id({ description: 'A Chat id (Corp.messages only; Chat.messages is already one chat).' }),
    participantId: t.string({
      description:
        'open_userid / external_userid: messages this participant sent, and single-chat messages they received. ' +
        'Group traffic is selected by chat.',
    }),
    type: t.field({ type: MessageType }),
    from: t.field({ type: 'DateTime', description: 'Sent at or after.' }),
    to: t.field({ type: 'DateTime', description: 'Sent before.' }),
    newestFirst: t.boolean({ description: 'Default false: archive order, oldest first.' }),
  }),
});

const pageArgs = (t: Parameters<Parameters<typeof builder.objectFields>[1]>[0]) => ({
  filter: t.arg({ type: MessageFilter }),
  first: t.arg.int({ description: '1..100, default 20.' }),
  after: t.arg.string({ description: 'An edge cursor; the same cursors resume messageAdded.' }),
});

builder.objectFields(CorpRef, (t) => ({
  messages: t.field({
    type: MessageConnection,
    description:
      'The archive from the message index (every message sync_msg returned, kept INDEX_RETENTION_DAYS), ' +
      'with stable cursors and totalCount.',
    args: pageArgs(t),
    resolve: (corp, args, ctx, info) => corpMessages(corp.corpId, args, ctx, info),
  }),
}));

builder.objectFields(ChatRef, (t) => ({
  messages: t.field({
    type: MessageConnection,
    description: "This chat's messages from the index.",
    args: pageArgs(t),
    resolve: (chat, args, ctx, info) => chatMessages(chat, args, ctx, info),
  }),
}));

builder.objectFields(MessageRef, (t) => ({
  hits: t.field({
    type: [KeywordHitRef],
    description: 'Keyword rules this message hit (hit_keyword callbacks → get_hit_msg_list).',
    resolve: (message, _args, ctx) => messageHits(message, ctx),
  }),
}));
