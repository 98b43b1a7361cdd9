import { z } from 'zod';
import { badUserInput } from '../errors/codes.js';
import type { BreakdownDimension, BreakdownRow } from '../stats/StatsStore.js';
import type { Context } from './context.js';
import { forCorp } from './forCorp.js';
import { ingestOf, seconds, windowArgs } from './statisticsResolvers.js';
import { validate } from './validation/validate.js';

/**
 * Most rows one breakdown returns; more is an error, not a silent cut. 50,000 holds a 30-day
 * employee × type × day breakdown of a 200-employee corp (~42,000 rows measured); paging is the
 * way past it.
 */
export const MAX_BREAKDOWN_ROWS = 50_000;

export const BREAKDOWN_DIMENSIONS = ['DAY', 'EMPLOYEE', 'MESSAGE_TYPE', 'DIRECTION'] as const;

export type StatisticsBreakdownShape = { corpId: string; from: number; to: number; rows: BreakdownRow[] };

const byArg = z.array(z.enum(BREAKDOWN_DIMENSIONS)).refine((by) => new Set(by).size === by.length, {
  error: (iss) => {
    const by = iss.input as string[];
    const twice = by.filter((d, i) => by.indexOf(d) !== i);
    return `by must name each dimension at most once, got ${[...new Set(twice)].join(', ')} more than once`;
  },
});

/** Corp.statisticsBreakdown: the daily rollup grouped by the dimensions asked for. */
export async function corpStatisticsBreakdown(
  corpId: string,
  args: { from: Date; to: Date; by: readonly string[] },
  ctx: Context,
): Promise<StatisticsBreakdownShape> {
  forCorp(ctx, corpId);
  const window = validate(windowArgs, { from: args.from, to: args.to });
  const by = validate(z.object({ by: byArg }), { by: args.by }).by;
  const result = await ingestOf(ctx).statistics.aggregator.breakdown(
    corpId,
    seconds(window.from),
    Math.ceil(window.to.getTime() / 1000),
    new Set<BreakdownDimension>(by),
    MAX_BREAKDOWN_ROWS + 1,
  );
  if (result.rows.length > MAX_BREAKDOWN_ROWS) {
    throw badUserInput(
      `the breakdown must have at most ${MAX_BREAKDOWN_ROWS} rows, got more; group by fewer dimensions or narrow from..to`,
      'by',
      by,
    );
  }
  return { corpId, ...result };
}
