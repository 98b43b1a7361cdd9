import { corpScopedId } from '../resolvers/ids.js';
import {
  createKeywordRule,
  deleteKeywordRule,
  keywordRules,
  loadRuleNode,
  ruleDetail,
  ruleName,
  ruleOfCorp,
  updateKeywordRule,
} from '../resolvers/keywordRuleResolvers.js';
import { builder } from './builder.js';
import { ChatKind } from './chat.js';
import { ApplicableRangeRef, CorpRef, KeywordRuleConnection, KeywordRuleRef } from './refs.js';

/** Upstream semantics 1..12 (docs/upstream.md §3.5). */
export const KeywordBehaviour = builder.enumType('KeywordBehaviour', {
  values: {
    RED_PACKET: { value: 1 },
    PHONE_NUMBER: { value: 2 },
    EMAIL: { value: 3 },
    WECHAT_CONTACT_CARD: { value: 4 },
    QR_CODE_IMAGE: { value: 5 },
    RECALL: { value: 6 },
    BANK_CARD_NUMBER: { value: 7 },
    ID_CARD_NUMBER: { value: 8 },
    SEND_FILE: { value: 9, description: 'Sending a file (not WeDrive).' },
    SEND_LINK: { value: 10, description: 'A link message or a URL in text.' },
    SEND_MINI_PROGRAM: { value: 11 },
    SEND_WELCOME_MESSAGE: { value: 12, description: 'A customer welcome message.' },
  } as const,
});

export const RuleTargetType = builder.enumType('RuleTargetType', {
  values: { EMPLOYEE: { value: 1 }, CUSTOMER: { value: 2 } } as const,
});

export const SessionType = builder.enumType('SessionType', {
  values: { INTERNAL: { value: 1 }, EXTERNAL: { value: 2 } } as const,
});

const CHAT_KIND_CODE = { SINGLE: 1, GROUP: 2 } as const;
const CHAT_KIND_NAME = { 1: 'SINGLE', 2: 'GROUP' } as const;

const list = <T>(values: number[], table: Record<number, T>) =>
  values.map((v) => table[v]).filter((v): v is T => v !== undefined);

export const ApplicableRangeInput = builder.inputType('ApplicableRangeInput', {
  description: 'Upstream applicable_range. On update, an empty list clears that setting; null leaves it.',
  fields: (t) => ({
    targetTypes: t.field({ type: [RuleTargetType] }),
    chatTypes: t.field({ type: [ChatKind] }),
    departmentIds: t.stringList({ description: '≤100 department ids (decimal).' }),
    userIds: t.stringList({ description: '≤100 open_userids.' }),
    externalUserIds: t.stringList({ description: '≤100 external_userids.' }),
    chatIds: t.stringList({ description: '≤100 chatids.' }),
    sessionTypes: t.field({ type: [SessionType] }),
    excludeMobiles: t.stringList({ description: '≤100 whitelisted numbers, e.g. +8612345679876.' }),
    excludeEmails: t.stringList({ description: '≤100 whitelisted addresses.' }),
    excludeBankCards: t.stringList({ description: '≤100 whitelisted card numbers.' }),
  }),
});

export const KeywordRuleInput = builder.inputType('KeywordRuleInput', {
  description: 'name 1..20 characters; ≤20 keywords of 1..32 characters; at least one keyword or behaviour.',
  fields: (t) => ({
    name: t.string({ required: true }),
    keywords: t.stringList(),
    behaviours: t.field({ type: [KeywordBehaviour] }),
    applicableRange: t.field({ type: ApplicableRangeInput }),
  }),
});

export const KeywordRuleUpdateInput = builder.inputType('KeywordRuleUpdateInput', {
  description: 'Only the fields given change; an empty list clears that setting upstream.',
  fields: (t) => ({
    name: t.string(),
    keywords: t.stringList(),
    behaviours: t.field({ type: [KeywordBehaviour] }),
    applicableRange: t.field({ type: ApplicableRangeInput }),
  }),
});

builder.node(KeywordRuleRef, {
  description: 'A keyword rule (keyword/*). Details are read once per request per rule (get_rule_detail).',
  id: { resolve: (rule) => corpScopedId(rule.corpId, rule.ruleId) },
  loadOne: (rawId, ctx) => loadRuleNode(rawId, ctx),
  fields: (t) => ({
    ruleId: t.exposeString('ruleId'),
    name: t.string({ resolve: (rule, _args, ctx) => ruleName(rule, ctx) }),
    keywords: t.stringList({ resolve: async (rule, _args, ctx) => (await ruleDetail(rule, ctx)).keywords }),
    behaviours: t.field({
      type: [KeywordBehaviour],
      resolve: async (rule, _args, ctx) =>
        (await ruleDetail(rule, ctx)).behaviours.filter((b): b is 1 => b >= 1 && b <= 12),
    }),
    applicableRange: t.field({
      type: ApplicableRangeRef,
      nullable: true,
      resolve: async (rule, _args, ctx) => (await ruleDetail(rule, ctx)).applicableRange,
    }),
    createdAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Known when the rule was listed (get_rule_list); get_rule_detail does not report it.',
      resolve: (rule) => rule.createTime ?? null,
    }),
  }),
});

builder.objectType(ApplicableRangeRef, {
  fields: (t) => ({
    targetTypes: t.field({
      type: [RuleTargetType],
      resolve: (r) => list(r.targetTypes, { 1: 1, 2: 2 } as const),
    }),
    chatTypes: t.field({ type: [ChatKind], resolve: (r) => list(r.chatTypes, CHAT_KIND_NAME) }),
    departmentIds: t.exposeStringList('departmentIds'),
    userIds: t.exposeStringList('userIds'),
    externalUserIds: t.exposeStringList('externalUserIds'),
    chatIds: t.exposeStringList('chatIds'),
    sessionTypes: t.field({
      type: [SessionType],
      resolve: (r) => list(r.sessionTypes, { 1: 1, 2: 2 } as const),
    }),
    excludeMobiles: t.exposeStringList('excludeMobiles'),
    excludeEmails: t.exposeStringList('excludeEmails'),
    excludeBankCards: t.exposeStringList('excludeBankCards'),
  }),
});

builder.objectFields(CorpRef, (t) => ({
  keywordRules: t.field({
    type: KeywordRuleConnection,
    description: 'keyword/get_rule_list. first: 1..100, default 20.',
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: (corp, args, ctx) => keywordRules(corp.corpId, args, ctx),
  }),
  keywordRule: t.field({
    type: KeywordRuleRef,
    nullable: true,
    description: 'null when upstream does not know the rule (710612).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (corp, args, ctx) => ruleOfCorp(corp.corpId, String(args.id), ctx),
  }),
}));

/** Chat kinds in inputs arrive as names; the upstream wants 1/2. */
function withChatTypeCodes<T extends { applicableRange?: { chatTypes?: string[] | null } | null }>(
  input: T,
): T {
  const range = input.applicableRange;
  if (!range?.chatTypes) return input;
  const chatTypes = range.chatTypes.map((k) => CHAT_KIND_CODE[k as keyof typeof CHAT_KIND_CODE]);
  return { ...input, applicableRange: { ...range, chatTypes } };
}

builder.mutationFields((t) => ({
  createKeywordRule: t.field({
    type: KeywordRuleRef,
    description:
      'keyword/create_rule (scope rules:write). At most 500 rules per corp upstream (710619). If the ' +
      "upstream's answer is lost, the rules are read back and a rule with the same name, keywords and " +
      'behaviours is returned instead of a twin; UPSTREAM_OUTCOME_UNKNOWN when that cannot be settled.',
    args: {
      corpId: t.arg.string({ required: true }),
      input: t.arg({ type: KeywordRuleInput, required: true }),
    },
    resolve: (_root, args, ctx) =>
      createKeywordRule({ corpId: args.corpId, input: withChatTypeCodes(args.input) }, ctx),
  }),
  updateKeywordRule: t.field({
    type: KeywordRuleRef,
    description: 'keyword/update_rule (scope rules:write).',
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: KeywordRuleUpdateInput, required: true }),
    },
    resolve: (_root, args, ctx) =>
      updateKeywordRule({ id: String(args.id), input: withChatTypeCodes(args.input) }, ctx),
  }),
  deleteKeywordRule: t.field({
    type: 'ID',
    description:
      "keyword/delete_rule (scope rules:write). Returns the deleted rule's id. A lost answer is settled by " +
      'asking again ("no such rule" then means it was deleted).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => deleteKeywordRule({ id: String(args.id) }, ctx),
  }),
}));
