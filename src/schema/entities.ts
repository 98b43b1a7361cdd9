import { resolveEntity } from '../resolvers/resolveEntity.js';
import { builder } from './builder.js';
import { ChatRef, CorpRef, KeywordRuleRef, MessageRef } from './refs.js';

/**
 * Federation entities (used only by the subgraph schema, GRAPHQL_FEDERATION=on). Corp is keyed
 * by `corpId`, what a provider's own services already store; Chat, Message and KeywordRule by
 * their global `id`, which embeds the corp, so `_entities` checks access from the key alone.
 */
builder.asEntity(CorpRef, {
  key: builder.selection<{ corpId: string }>('corpId'),
  resolveReference: (ref, ctx) => resolveEntity.corp(ref, ctx),
});
builder.asEntity(ChatRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (ref, ctx) => resolveEntity.chat(ref, ctx),
});
builder.asEntity(MessageRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (ref, ctx) => resolveEntity.message(ref, ctx),
});
builder.asEntity(KeywordRuleRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (ref, ctx) => resolveEntity.keywordRule(ref, ctx),
});
