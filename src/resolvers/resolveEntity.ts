import type { CorpRecord } from '../datasources/store/ports.js';
import { loadChat } from './chatResolvers.js';
import type { Context } from './context.js';
import { loadCorp } from './corpResolvers.js';
import { decodeTypedId } from './globalId.js';
import { loadRuleNode } from './keywordRuleResolvers.js';
import { loadMessage } from './messageResolvers.js';
import type { ChatShape, KeywordRuleShape, MessageShape } from './shapes.js';

/**
 * Federation `_entities` loaders. Each is the very loader `node(id:)` and the root fields use,
 * so a supergraph reaching an entity passes the same corp and scope checks (FORBIDDEN for a
 * corp the client may not see, checked before anything is loaded) as every other path.
 * All async on purpose: @apollo/subgraph maps the representations synchronously, so one
 * synchronous throw would fail the whole `_entities` list (and orphan the other items'
 * promises) instead of the one representation the client may not see.
 */
export const resolveEntity = {
  corp: async (ref: { corpId: string }, ctx: Context): Promise<CorpRecord | null> =>
    loadCorp(ref.corpId, ctx),
  chat: async (ref: { id: string }, ctx: Context): Promise<ChatShape | null> =>
    loadChat(decodeTypedId(ref.id, 'Chat'), ctx),
  message: async (ref: { id: string }, ctx: Context): Promise<MessageShape | null> =>
    loadMessage(decodeTypedId(ref.id, 'Message'), ctx),
  keywordRule: async (ref: { id: string }, ctx: Context): Promise<KeywordRuleShape | null> =>
    loadRuleNode(decodeTypedId(ref.id, 'KeywordRule'), ctx),
};
