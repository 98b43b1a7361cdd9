import { messageTypeName } from '../resolvers/messageType.js';
import { chatStatistics, corpStatistics, type StatisticsShape } from '../resolvers/statisticsResolvers.js';
import type { LatencySummary, StatisticsSummary } from '../stats/summarizeCounters.js';
import { answeredWindowFields } from './answeredWindowFields.js';
import { builder } from './builder.js';
import { MessageType } from './message.js';
import { ChatRef, CorpRef } from './refs.js';

const TypeCountRef = builder.objectRef<{ msgtype: number; count: number }>('MessageTypeCount').implement({
  fields: (t) => ({
    type: t.field({ type: MessageType, resolve: (c) => messageTypeName(c.msgtype) }),
    count: t.exposeInt('count'),
  }),
});

const DirectionCountsRef = builder
  .objectRef<StatisticsSummary['byDirection']>('MessageDirectionCounts')
  .implement({
    description:
      'Messages by direction, from sender/receiver types: an employee writing to a chat with a customer in it ' +
      '(employeeToCustomer) or to employees/robots only (internal); a customer writing to a chat with an employee ' +
      '(customerToEmployee); anything else, e.g. robots or customers among themselves (other).',
    fields: (t) => ({
      employeeToCustomer: t.exposeInt('employeeToCustomer'),
      customerToEmployee: t.exposeInt('customerToEmployee'),
      internal: t.exposeInt('internal'),
      other: t.exposeInt('other'),
    }),
  });

const ResponseTimeRef = builder.objectRef<LatencySummary>('ResponseTimeStatistics').implement({
  description:
    'Seconds an employee took to answer, one sample per answered turn. count and avg are exact; median and p90 are ' +
    'estimated from a fixed histogram (bin edges 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400 s; ' +
    'linear interpolation inside a bin; the open last bin answers 86400).',
  fields: (t) => ({
    count: t.exposeInt('count'),
    avg: t.float({ nullable: true, description: 'Exact mean; null without samples.', resolve: (l) => l.avg }),
    median: t.float({ nullable: true, description: 'Approximate (histogram).', resolve: (l) => l.median }),
    p90: t.float({ nullable: true, description: 'Approximate (histogram).', resolve: (l) => l.p90 }),
  }),
});

const StatisticsRef = builder.objectRef<StatisticsShape>('ConversationStatistics').implement({
  description:
    'Figures over a window, summed from rolling hourly counters (docs/statistics.md). Resolution is one hour: the ' +
    'window is widened to whole UTC hours (from rounded down, to rounded up) and the window actually answered is ' +
    'returned in from/to. Each message is counted in its send hour; reply figures are counted in the hour of the ' +
    "customer message they answer. A customer message's reply can arrive later, so recent windows fill in over time.",
  fields: (t) => ({
    ...answeredWindowFields(t),
    messages: t.exposeInt('messages', { description: 'Every message sent in the window.' }),
    messagesByType: t.field({
      type: [TypeCountRef],
      description: 'Types with at least one message, ascending by msgtype.',
      resolve: (s) => s.byType,
    }),
    messagesByDirection: t.field({ type: DirectionCountsRef, resolve: (s) => s.byDirection }),
    chatsStarted: t.exposeInt('conversationsStarted', {
      description:
        "Conversations started: a chat's first archived message, or its first message after STATS_CONVERSATION_GAP_S " +
        '(default 8 h) of silence, sent in the window.',
    }),
    customerMessages: t.exposeInt('customerMessages', {
      description: 'Messages a customer sent to a chat with an employee in it (customerToEmployee).',
    }),
    customerMessagesReplied: t.exposeInt('customerMessagesReplied', {
      description:
        'Of customerMessages, those followed by an employee message in the same chat (so far). In a group any ' +
        "employee's message answers every customer message waiting before it.",
    }),
    replyRate: t.float({
      nullable: true,
      description: 'customerMessagesReplied / customerMessages; null when there are no customer messages.',
      resolve: (s) => s.replyRate,
    }),
    firstResponseSeconds: t.field({
      type: ResponseTimeRef,
      description:
        "Per conversation, its first answered turn: from the oldest customer message waiting to the employee's reply.",
      resolve: (s) => s.firstResponse,
    }),
    replySeconds: t.field({
      type: ResponseTimeRef,
      description:
        'Every answered turn: from the oldest customer message waiting (since the last employee message) to the ' +
        'next employee message in the chat.',
      resolve: (s) => s.reply,
    }),
    averageReplySeconds: t.float({
      nullable: true,
      description: 'replySeconds.avg (exact).',
      resolve: (s) => s.reply.avg,
    }),
    recalls: t.exposeInt('recalls', {
      description:
        'Recalled messages. sync_msg metadata carries no recall marker and no msgtype means "recall": recalls are ' +
        'known only from keyword-rule hits with behaviour RECALL (semantics 6), so this counts only while the corp ' +
        'has a keyword rule with RECALL, from when its hits were synced; 0 otherwise.',
    }),
  }),
});

const windowArgs = (t: Parameters<Parameters<typeof builder.objectFields>[1]>[0]) => ({
  from: t.arg({ type: 'DateTime', required: true }),
  to: t.arg({
    type: 'DateTime',
    required: true,
    description: 'After from; the window spans at most 92 days.',
  }),
});

builder.objectFields(CorpRef, (t) => ({
  statistics: t.field({
    type: StatisticsRef,
    description:
      'Conversation statistics of the corp, or of one employee (employeeId: messages they sent plus single-chat ' +
      'messages they received, as MessageFilter.participantId; reply turns they answered), one customer (customerId, ' +
      'likewise; turns they opened) or one chat (chatId: a Chat id). At most one of the three.',
    args: {
      ...windowArgs(t),
      employeeId: t.arg.string({ description: 'An open_userid.' }),
      customerId: t.arg.string({ description: 'An external_userid.' }),
      chatId: t.arg.id({ description: 'A Chat id of this corp.' }),
    },
    resolve: (corp, args, ctx) =>
      corpStatistics(corp.corpId, { ...args, chatId: args.chatId?.toString() }, ctx),
  }),
}));

builder.objectFields(ChatRef, (t) => ({
  statistics: t.field({
    type: StatisticsRef,
    description: "This chat's conversation statistics (see Corp.statistics).",
    args: windowArgs(t),
    resolve: (chat, args, ctx) => chatStatistics(chat, args, ctx),
  }),
}));
