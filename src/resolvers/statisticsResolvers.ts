import { z } from 'zod';
import { badUserInput } from '../errors/codes.js';
import type { WindowStatistics } from '../stats/StatsAggregator.js';
import type { Dimension } from '../stats/StatsStore.js';
import type { Context, IngestView } from './context.js';
import { forCorp } from './forCorp.js';
import { chatFromGlobalId, chatKeyOfChat } from './messageFilterArgs.js';
import type { ChatShape } from './shapes.js';
import { validate } from './validation/validate.js';

/** Longest window a statistics query may span, days. */
export const MAX_WINDOW_DAYS = 92;

export type StatisticsShape = WindowStatistics & { corpId: string };

const idArg = (name: string) =>
  z
    .string({ error: (iss) => `${name} must be a string, got ${JSON.stringify(iss.input)}` })
    .min(1, `${name} must be a non-empty id`)
    .max(128, `${name} must be at most 128 characters`)
    .nullish();

/** from < to, at most MAX_WINDOW_DAYS apart (every statistics field). */
export const windowArgs = z
  .object({ from: z.date(), to: z.date() })
  .refine((a) => a.from < a.to, {
    error: (iss) => {
      const a = iss.input as { from: Date; to: Date };
      return `from must be before to, got from ${a.from.toISOString()} and to ${a.to.toISOString()}`;
    },
    path: ['from'],
  })
  .refine((a) => a.to.getTime() - a.from.getTime() <= MAX_WINDOW_DAYS * 86_400_000, {
    error: (iss) => {
      const a = iss.input as { from: Date; to: Date };
      const days = (a.to.getTime() - a.from.getTime()) / 86_400_000;
      return `the window from..to must span at most ${MAX_WINDOW_DAYS} days, got ${days.toFixed(1)} days`;
    },
    path: ['to'],
  });

const corpStatisticsArgs = z
  .object({
    from: z.date(),
    to: z.date(),
    employeeId: idArg('employeeId'),
    customerId: idArg('customerId'),
    chatId: idArg('chatId'),
  })
  .refine((a) => [a.employeeId, a.customerId, a.chatId].filter((v) => v != null).length <= 1, {
    error: (iss) => {
      const a = iss.input as Record<string, unknown>;
      const given = ['employeeId', 'customerId', 'chatId'].filter((k) => a[k] != null);
      return `give at most one of employeeId, customerId, chatId, got ${given.join(' and ')}`;
    },
    path: ['customerId'],
  });

export function ingestOf(ctx: Context): IngestView {
  if (!ctx.ingest) throw new Error('statistics are not configured in this process');
  return ctx.ingest;
}

export const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** Corp.statistics: the corp, or one employee, customer or chat of it. */
export async function corpStatistics(corpId: string, args: unknown, ctx: Context): Promise<StatisticsShape> {
  forCorp(ctx, corpId);
  const input = validate(corpStatisticsArgs, args);
  const window = validate(windowArgs, { from: input.from, to: input.to });
  let dimension: Dimension = 'c';
  if (input.employeeId) dimension = `e:${input.employeeId}`;
  else if (input.customerId) dimension = `x:${input.customerId}`;
  else if (input.chatId) {
    const chat = chatFromGlobalId(input.chatId, 'chatId');
    if (chat.corpId !== corpId) {
      throw badUserInput(
        `chatId must be a Chat of corp "${corpId}", got a chat of another corp`,
        'chatId',
        input.chatId,
      );
    }
    dimension = `k:${chatKeyOfChat(chat)}`;
  }
  const stats = await ingestOf(ctx).statistics.aggregator.statistics(
    corpId,
    dimension,
    seconds(window.from),
    Math.ceil(window.to.getTime() / 1000),
  );
  return { ...stats, corpId };
}

/** Chat.statistics: the same figures for this chat. */
export async function chatStatistics(chat: ChatShape, args: unknown, ctx: Context): Promise<StatisticsShape> {
  forCorp(ctx, chat.corpId);
  const window = validate(windowArgs, args);
  const stats = await ingestOf(ctx).statistics.aggregator.statistics(
    chat.corpId,
    `k:${chatKeyOfChat(chat)}`,
    seconds(window.from),
    Math.ceil(window.to.getTime() / 1000),
  );
  return { ...stats, corpId: chat.corpId };
}
