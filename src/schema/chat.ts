import {
  chatAudience,
  chatConsents,
  chatCreatedAt,
  chatCreator,
  chatMembers,
  chatOfCorp,
  chatParticipants,
  loadChat,
  searchChats,
} from '../resolvers/chatResolvers.js';
import { chatRawId } from '../resolvers/ids.js';
import { builder } from './builder.js';
import { ChatConnection, ChatMemberRef, ChatRef, ConsentRef, CorpRef, ParticipantRef } from './refs.js';

export const ChatKind = builder.enumType('ChatKind', {
  values: {
    SINGLE: { value: 'SINGLE', description: 'A one-to-one chat.' },
    GROUP: { value: 'GROUP', description: 'A group chat (has a chatid).' },
  } as const,
});

export const ChatAudience = builder.enumType('ChatAudience', {
  description: 'Who the chat is between: the corp’s own people, or with customers (external contacts).',
  values: {
    INTERNAL: {
      value: 'INTERNAL',
      description: 'Internal: an internal group, or a single chat of two employees.',
    },
    CUSTOMER: {
      value: 'CUSTOMER',
      description: 'With customers: a customer group (客户群), or a single chat with an external contact.',
    },
  } as const,
});

builder.node(ChatRef, {
  description:
    'A conversation. Group details come from groupchat/get, which answers only for internal groups: ' +
    'for customer groups (upstream 301059) members is [] and creator/createdAt are null.',
  id: { resolve: (chat) => chatRawId(chat) },
  loadOne: (rawId, ctx) => loadChat(rawId, ctx),
  fields: (t) => ({
    kind: t.expose('kind', { type: ChatKind }),
    audience: t.field({
      type: ChatAudience,
      nullable: true,
      description:
        'Internal or with customers, from the chat itself: a single chat by its parties; a group by ' +
        'groupchat/get, which answers for internal groups only (one call per group per operation; ' +
        'null, with the error, when upstream does not answer).',
      resolve: (chat, _args, ctx) => chatAudience(chat, ctx),
    }),
    chatId: t.string({
      nullable: true,
      description: 'The upstream chatid; groups only.',
      resolve: (chat) => (chat.kind === 'GROUP' ? chat.chatId : null),
    }),
    participants: t.field({
      type: [ParticipantRef],
      description: 'Singles: the two parties. Groups: the members groupchat/get reports.',
      resolve: (chat, _args, ctx) => chatParticipants(chat, ctx),
    }),
    creator: t.field({
      type: ParticipantRef,
      nullable: true,
      resolve: (chat, _args, ctx) => chatCreator(chat, ctx),
    }),
    createdAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (chat, _args, ctx) => chatCreatedAt(chat, ctx),
    }),
    members: t.field({ type: [ChatMemberRef], resolve: (chat, _args, ctx) => chatMembers(chat, ctx) }),
    consents: t.field({
      type: [ConsentRef],
      description:
        'Groups: getagreestatus/room. Employee–customer singles: getagreestatus/single (batched). Internal singles: [].',
      resolve: (chat, _args, ctx) => chatConsents(chat, ctx),
    }),
  }),
});

builder.objectFields(CorpRef, (t) => ({
  chat: t.field({
    type: ChatRef,
    nullable: true,
    description: 'A chat of this corp by its global id (not checked upstream for existence).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (corp, args, ctx) => chatOfCorp(corp.corpId, String(args.id), ctx),
  }),
  searchChats: t.field({
    type: ChatConnection,
    description:
      'Named groups whose current name matches (search_chat). query: ≥2 characters; first: 1..100.',
    args: {
      query: t.arg.string({ required: true }),
      first: t.arg.int(),
      after: t.arg.string(),
    },
    resolve: (corp, args, ctx) => searchChats(corp.corpId, args, ctx),
  }),
}));
