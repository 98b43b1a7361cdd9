import { keywordHits } from '../resolvers/keywordHitResolvers.js';
import { builder } from './builder.js';
import { KeywordBehaviour } from './keywordRule.js';
import { CorpRef, KeywordHitConnection, KeywordHitRef, KeywordRuleRef, MessageRef } from './refs.js';

builder.objectType(KeywordHitRef, {
  description: 'A message that hit a keyword rule (keyword/get_hit_msg_list).',
  fields: (t) => ({
    messageId: t.exposeString('msgid'),
    message: t.field({
      type: MessageRef,
      nullable: true,
      description: "From the hit list's msg_detail.",
      resolve: (hit) => hit.message,
    }),
    rule: t.field({ type: KeywordRuleRef, resolve: (hit) => ({ corpId: hit.corpId, ruleId: hit.ruleId }) }),
    matchedKeyword: t.exposeBoolean('hasHitKeyword', {
      description: 'A keyword (not only a behaviour) matched.',
    }),
    behaviours: t.field({
      type: [KeywordBehaviour],
      resolve: (hit) => hit.behaviours.filter((b): b is 1 => b >= 1 && b <= 12),
    }),
  }),
});

builder.objectFields(CorpRef, (t) => ({
  keywordHits: t.field({
    type: KeywordHitConnection,
    description:
      'keyword/get_hit_msg_list (last 5 days), one edge per message and rule hit. Without a hit_keyword callback ' +
      'token upstream applies a strict rate limit to this call. ruleId filters each page, so pages may be short.',
    args: { ruleId: t.arg.id(), first: t.arg.int(), after: t.arg.string() },
    resolve: (corp, args, ctx) =>
      keywordHits(corp.corpId, { ...args, ruleId: args.ruleId == null ? null : String(args.ruleId) }, ctx),
  }),
}));
