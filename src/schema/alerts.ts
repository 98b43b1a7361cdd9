import type { ReplyAlert, ReplyAlertEvent, ReplyTimeoutRule } from '../alerts/AlertStore.js';
import {
  ALERT_TYPENAME,
  type AlertConnection,
  alertChat,
  alertMessage,
  alertRawId,
  alertRule,
  createReplyTimeoutRule,
  deleteReplyTimeoutRule,
  RULE_TYPENAME,
  replyAlerts,
  replyTimeoutRules,
  ruleRawId,
  subscribeReplyTimeout,
  updateReplyTimeoutRule,
} from '../resolvers/alertResolvers.js';
import { encodeGlobalId } from '../resolvers/globalId.js';
import { builder } from './builder.js';
import { ChatKind } from './chat.js';
import { ChatRef, CorpRef, MessageRef, ParticipantRef } from './refs.js';

const ReplyTimeoutRuleRef = builder.objectRef<ReplyTimeoutRule>('ReplyTimeoutRule').implement({
  description:
    'A service-quality rule: SINGLE — a customer message in a single chat unanswered by the employee for `minutes`; ' +
    'GROUP — no employee message in a customer group within `minutes` of a customer message. Rules watch customer ' +
    'messages sent after the rule was created, and are checked as messages arrive and every ALERTS_INTERVAL_S.',
  fields: (t) => ({
    id: t.id({ resolve: (r) => encodeGlobalId(RULE_TYPENAME, ruleRawId(r)) }),
    name: t.exposeString('name'),
    chatKind: t.field({ type: ChatKind, resolve: (r) => r.chatKind }),
    minutes: t.exposeInt('minutes'),
    employeeIds: t.stringList({
      nullable: true,
      description:
        'Only chats one of these employees could answer (a single chat’s employee, a group’s employee members); null: all.',
      resolve: (r) => r.employeeIds,
    }),
    enabled: t.exposeBoolean('enabled'),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => new Date(r.createdAt) }),
    updatedAt: t.field({ type: 'DateTime', resolve: (r) => new Date(r.updatedAt) }),
  }),
});

const AlertStatus = builder.enumType('ReplyAlertStatus', {
  values: { OPEN: { value: 'OPEN' }, RESOLVED: { value: 'RESOLVED' } } as const,
});
const AlertStatusFilter = builder.enumType('ReplyAlertStatusFilter', {
  values: { OPEN: { value: 'OPEN' }, RESOLVED: { value: 'RESOLVED' }, ALL: { value: 'ALL' } } as const,
});

const ReplyAlertRef = builder.objectRef<ReplyAlert>('ReplyAlert').implement({
  description:
    'A customer message that waited past a rule’s deadline; resolved by the next employee message in the chat.',
  fields: (t) => ({
    id: t.id({ resolve: (a) => encodeGlobalId(ALERT_TYPENAME, alertRawId(a)) }),
    status: t.field({ type: AlertStatus, resolve: (a) => a.status }),
    rule: t.field({
      type: ReplyTimeoutRuleRef,
      nullable: true,
      description: 'Null once the rule was deleted (ruleName and minutes keep what it was).',
      resolve: (a, _args, ctx) => alertRule(a, ctx),
    }),
    ruleName: t.exposeString('ruleName'),
    minutes: t.exposeInt('minutes'),
    chat: t.field({ type: ChatRef, resolve: (a) => alertChat(a) }),
    customer: t.field({ type: ParticipantRef, resolve: (a) => ({ type: 2, id: a.customerId }) }),
    customerMessageId: t.exposeString('customerMsgid', {
      description: 'The msgid of the waiting customer message.',
    }),
    customerMessage: t.field({
      type: MessageRef,
      nullable: true,
      description: 'From the index; null once retention trimmed it.',
      resolve: (a, _args, ctx) => alertMessage(a.corpId, a.customerMsgid, ctx),
    }),
    customerSentAt: t.field({ type: 'DateTime', resolve: (a) => a.customerSentAt }),
    deadlineAt: t.field({ type: 'DateTime', resolve: (a) => a.customerSentAt + a.minutes * 60 }),
    openedAt: t.field({ type: 'DateTime', resolve: (a) => new Date(a.openedAt) }),
    resolvedAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (a) => (a.resolvedAt === null ? null : new Date(a.resolvedAt)),
    }),
    resolvedByMessageId: t.string({ nullable: true, resolve: (a) => a.resolvedBy?.msgid ?? null }),
    resolvedBy: t.field({
      type: MessageRef,
      nullable: true,
      description:
        'The employee message that answered; null while open, or when the answer was not observed.',
      resolve: (a, _args, ctx) => alertMessage(a.corpId, a.resolvedBy?.msgid ?? null, ctx),
    }),
  }),
});

const ReplyAlertConnection = builder.connectionObject({ type: ReplyAlertRef, name: 'ReplyAlertConnection' });

const ReplyAlertEventRef = builder.objectRef<ReplyAlertEvent>('ReplyAlertEvent').implement({
  fields: (t) => ({
    change: t.field({
      type: builder.enumType('ReplyAlertChange', { values: ['OPENED', 'RESOLVED'] as const }),
      resolve: (e) => e.change,
    }),
    alert: t.field({ type: ReplyAlertRef, resolve: (e) => e.alert }),
  }),
});

const RuleInput = builder.inputType('ReplyTimeoutRuleInput', {
  description:
    'name 1..40 characters; minutes 1..1440; ≤100 employeeIds (open_userid); enabled default true.',
  fields: (t) => ({
    name: t.string({ required: true }),
    chatKind: t.field({ type: ChatKind, required: true }),
    minutes: t.int({ required: true }),
    employeeIds: t.stringList(),
    enabled: t.boolean(),
  }),
});

const RuleUpdateInput = builder.inputType('ReplyTimeoutRuleUpdateInput', {
  description: 'Only the fields given change; employeeIds [] or null means all employees.',
  fields: (t) => ({
    name: t.string(),
    chatKind: t.field({ type: ChatKind }),
    minutes: t.int(),
    employeeIds: t.stringList(),
    enabled: t.boolean(),
  }),
});

builder.objectFields(CorpRef, (t) => ({
  replyTimeoutRules: t.field({
    type: [ReplyTimeoutRuleRef],
    description: 'Reply-time rules, oldest first.',
    resolve: (corp, _args, ctx) => replyTimeoutRules(corp.corpId, ctx),
  }),
  replyAlerts: t.field({
    type: ReplyAlertConnection,
    description: 'Reply-time alerts, newest first. status default ALL; first 1..100, default 20.',
    args: { status: t.arg({ type: AlertStatusFilter }), first: t.arg.int(), after: t.arg.string() },
    resolve: (corp, args, ctx) => replyAlerts(corp.corpId, args, ctx) as Promise<AlertConnection>,
  }),
}));

builder.mutationFields((t) => ({
  createReplyTimeoutRule: t.field({
    type: ReplyTimeoutRuleRef,
    description: 'Needs scope rules:write.',
    args: { corpId: t.arg.string({ required: true }), input: t.arg({ type: RuleInput, required: true }) },
    resolve: (_root, args, ctx) => createReplyTimeoutRule(args, ctx),
  }),
  updateReplyTimeoutRule: t.field({
    type: ReplyTimeoutRuleRef,
    description: 'Needs scope rules:write.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: RuleUpdateInput, required: true }) },
    resolve: (_root, args, ctx) => updateReplyTimeoutRule({ ...args, id: String(args.id) }, ctx),
  }),
  deleteReplyTimeoutRule: t.field({
    type: 'ID',
    description: 'Needs scope rules:write. Returns the deleted id; its alerts are kept.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => deleteReplyTimeoutRule({ id: String(args.id) }, ctx),
  }),
}));

builder.subscriptionFields((t) => ({
  replyTimeout: t.field({
    type: ReplyAlertEventRef,
    description: 'Reply-time alerts of the corp as they open and resolve, across replicas.',
    args: { corpId: t.arg.string({ required: true }) },
    subscribe: (_root, args, ctx) => subscribeReplyTimeout(args, ctx),
    resolve: (event) => event,
  }),
}));
