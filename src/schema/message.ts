import { corpScopedId } from '../resolvers/ids.js';
import { loadMessage, messageChat, messageDisplay, searchMessages } from '../resolvers/messageResolvers.js';
import { MESSAGE_TYPES, messageTypeName } from '../resolvers/messageType.js';
import { builder } from './builder.js';
import { ParticipantInput } from './participant.js';
import {
  ChatRef,
  CorpRef,
  MessageConnection,
  MessageDisplayRef,
  MessageRef,
  ParticipantRef,
} from './refs.js';

export const MessageType = builder.enumType('MessageType', {
  description: 'Upstream msgtype 0..28 (docs/upstream.md §3.1); any other value is UNKNOWN.',
  values: [...MESSAGE_TYPES, 'UNKNOWN'] as const,
});

export const ChatFilter = builder.inputType('ChatFilter', {
  description: 'Exactly one of: id (a Chat id), groupChatId, parties (the two parties of a single chat).',
  fields: (t) => ({
    id: t.id(),
    groupChatId: t.string(),
    parties: t.field({ type: [ParticipantInput] }),
  }),
});

builder.node(MessageRef, {
  description:
    'Metadata of an archived message (content never leaves WeCom; render it with ww-open-message). ' +
    'Messages come from the message index; without one, node(id:) gives null.',
  id: { resolve: (m) => corpScopedId(m.corpId, m.msgid) },
  loadOne: (rawId, ctx) => loadMessage(rawId, ctx),
  fields: (t) => ({
    msgid: t.exposeString('msgid'),
    // Exposed (no resolver): the compiled executor reads them as plain properties.
    sender: t.expose('sender', { type: ParticipantRef }),
    receivers: t.expose('receivers', { type: [ParticipantRef] }),
    chat: t.field({ type: ChatRef, resolve: (m) => messageChat(m) }),
    sentAt: t.field({ type: 'DateTime', resolve: (m) => m.sendTime }),
    type: t.field({ type: MessageType, resolve: (m) => messageTypeName(m.msgtype) }),
    display: t.field({
      type: MessageDisplayRef,
      nullable: true,
      description: 'The decrypted per-message key for ww-open-message. Needs scope content:display.',
      resolve: (m, _args, ctx) => messageDisplay(m, ctx),
    }),
  }),
});

builder.objectType(MessageDisplayRef, {
  fields: (t) => ({
    messageId: t.exposeString('messageId'),
    secretKey: t.exposeString('secretKey'),
    publicKeyVersion: t.exposeInt('publicKeyVersion'),
  }),
});

builder.objectFields(CorpRef, (t) => ({
  searchMessages: t.field({
    type: MessageConnection,
    description:
      'search_msg (query ≥2 characters; from..to ≤30 days, from required with to; first 1..100). Upstream returns ' +
      'msgids only: each is read from the message index, and msgids the index does not hold are skipped.',
    args: {
      query: t.arg.string({ required: true }),
      chat: t.arg({ type: ChatFilter }),
      from: t.arg({ type: 'DateTime' }),
      to: t.arg({ type: 'DateTime' }),
      first: t.arg.int(),
      after: t.arg.string(),
    },
    resolve: (corp, args, ctx) => searchMessages(corp.corpId, args, ctx),
  }),
}));
