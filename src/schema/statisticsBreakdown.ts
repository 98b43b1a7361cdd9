import { messageTypeName } from '../resolvers/messageType.js';
import {
  BREAKDOWN_DIMENSIONS,
  corpStatisticsBreakdown,
  MAX_BREAKDOWN_ROWS,
  type StatisticsBreakdownShape,
} from '../resolvers/statisticsBreakdownResolvers.js';
import { MAX_WINDOW_DAYS } from '../resolvers/statisticsResolvers.js';
import { DAY_S } from '../stats/bucketsFor.js';
import type { BreakdownRow } from '../stats/StatsStore.js';
import { answeredWindowFields } from './answeredWindowFields.js';
import { builder } from './builder.js';
import { MessageType } from './message.js';
import { CorpRef } from './refs.js';

const StatisticsDimension = builder.enumType('StatisticsDimension', {
  description: 'A dimension Corp.statisticsBreakdown groups by.',
  values: BREAKDOWN_DIMENSIONS,
});

const MessageDirection = builder.enumType('MessageDirection', {
  description: 'Who wrote to whom (see MessageDirectionCounts).',
  values: ['EMPLOYEE_TO_CUSTOMER', 'CUSTOMER_TO_EMPLOYEE', 'INTERNAL', 'OTHER'] as const,
});

const RowRef = builder.objectRef<BreakdownRow>('StatisticsBreakdownRow').implement({
  description: 'Messages of one group. A dimension the breakdown is not grouped by is null.',
  fields: (t) => ({
    day: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Start of the UTC day (grouped by DAY).',
      resolve: (r) => (r.day === null ? null : r.day * DAY_S),
    }),
    employeeId: t.exposeString('employeeId', {
      nullable: true,
      description: 'The open_userid (grouped by EMPLOYEE).',
    }),
    type: t.field({
      type: MessageType,
      nullable: true,
      description: 'Grouped by MESSAGE_TYPE; msgtypes the gateway does not know are UNKNOWN (see msgtype).',
      resolve: (r) => (r.msgtype === null ? null : messageTypeName(r.msgtype)),
    }),
    msgtype: t.exposeInt('msgtype', {
      nullable: true,
      description: 'The upstream msgtype (grouped by MESSAGE_TYPE).',
    }),
    direction: t.field({ type: MessageDirection, nullable: true, resolve: (r) => r.direction }),
    messages: t.exposeInt('messages'),
  }),
});

const BreakdownRef = builder.objectRef<StatisticsBreakdownShape>('StatisticsBreakdown').implement({
  description:
    'Message counts grouped by any of day, employee, message type and direction, from a daily rollup kept with the ' +
    'statistics counters (docs/statistics.md). Resolution is one UTC day: the window is widened to whole days.',
  fields: (t) => ({
    ...answeredWindowFields(t),
    rows: t.field({
      type: [RowRef],
      description: 'Groups with at least one message, ascending by day, employeeId, msgtype, direction.',
      resolve: (b) => b.rows,
    }),
  }),
});

builder.objectFields(CorpRef, (t) => ({
  statisticsBreakdown: t.field({
    type: BreakdownRef,
    description:
      'Messages per employee × message type × day × direction (any subset, in one query). Grouped by EMPLOYEE, a ' +
      'message counts for each employee it counts for in Corp.statistics(employeeId) (the sender, and the receiver ' +
      'of a single chat), so rows match those figures and may sum to more than the corp total; without EMPLOYEE ' +
      `every message counts once. At most ${MAX_WINDOW_DAYS} days and ${MAX_BREAKDOWN_ROWS} rows.`,
    args: {
      from: t.arg({ type: 'DateTime', required: true }),
      to: t.arg({
        type: 'DateTime',
        required: true,
        description: 'After from; the window spans at most 92 days.',
      }),
      by: t.arg({
        type: [StatisticsDimension],
        required: true,
        description: 'The dimensions to group by, each at most once; [] gives the total.',
      }),
    },
    resolve: (corp, args, ctx) => corpStatisticsBreakdown(corp.corpId, args, ctx),
  }),
}));
