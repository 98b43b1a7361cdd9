import { estimateQuantile, LATENCY_BIN_EDGES } from './latencyHistogram.js';
import type { Counters } from './StatsStore.js';

export type LatencySummary = {
  /** Samples (answered turns). */
  count: number;
  /** Exact mean, seconds; null without samples. */
  avg: number | null;
  /** Estimated from the fixed histogram (approximate). */
  median: number | null;
  p90: number | null;
};

export type StatisticsSummary = {
  messages: number;
  /** msgtype → count, only types with messages, ascending by type. */
  byType: { msgtype: number; count: number }[];
  byDirection: { employeeToCustomer: number; customerToEmployee: number; internal: number; other: number };
  conversationsStarted: number;
  customerMessages: number;
  customerMessagesReplied: number;
  /** replied / customer messages; null without customer messages. */
  replyRate: number | null;
  firstResponse: LatencySummary;
  reply: LatencySummary;
  recalls: number;
};

function latency(c: Counters, prefix: 'f' | 'r'): LatencySummary {
  const count = c[`${prefix}n`] ?? 0;
  const bins = Array.from({ length: LATENCY_BIN_EDGES.length + 1 }, (_, i) => c[`${prefix}h${i}`] ?? 0);
  return {
    count,
    avg: count === 0 ? null : (c[`${prefix}s`] ?? 0) / count,
    median: estimateQuantile(bins, 0.5),
    p90: estimateQuantile(bins, 0.9),
  };
}

/** Summed bucket counters → the figures the schema shows (field names: see applyMessages). */
export function summarizeCounters(c: Counters): StatisticsSummary {
  const byType = Object.entries(c)
    .filter(([k, v]) => /^t\d+$/.test(k) && v > 0)
    .map(([k, v]) => ({ msgtype: Number(k.slice(1)), count: v }))
    .sort((a, b) => a.msgtype - b.msgtype);
  const customerMessages = c['cm'] ?? 0;
  const replied = c['cr'] ?? 0;
  return {
    messages: c['n'] ?? 0,
    byType,
    byDirection: {
      employeeToCustomer: c['dEC'] ?? 0,
      customerToEmployee: c['dCE'] ?? 0,
      internal: c['dIN'] ?? 0,
      other: c['dOT'] ?? 0,
    },
    conversationsStarted: c['cs'] ?? 0,
    customerMessages,
    customerMessagesReplied: replied,
    replyRate: customerMessages === 0 ? null : replied / customerMessages,
    firstResponse: latency(c, 'f'),
    reply: latency(c, 'r'),
    recalls: c['rc'] ?? 0,
  };
}

/** Adds `b` into `a`. */
export function addCounters(a: Counters, b: Counters): Counters {
  for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v;
  return a;
}
