import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type {
  AlertStatusFilter,
  ReplyAlert,
  ReplyAlertEvent,
  ReplyTimeoutRule,
} from '../alerts/AlertStore.js';
import type { ArchivedMessage } from '../datasources/store/ports.js';
import { badUserInput, notFound } from '../errors/codes.js';
import type { Context, IngestView } from './context.js';
import { forCorp } from './forCorp.js';
import { decodeTypedId } from './globalId.js';
import { corpScopedId, singleChat, splitCorpScopedId } from './ids.js';
import type { ChatShape } from './shapes.js';
import { charsBetween, first, intRange, listMax } from './validation/rules.js';
import { validate } from './validation/validate.js';

export const RULE_TYPENAME = 'ReplyTimeoutRule';
export const ALERT_TYPENAME = 'ReplyAlert';

function ingestOf(ctx: Context): IngestView {
  if (!ctx.ingest) throw new Error('reply-time alerts are not configured in this process');
  return ctx.ingest;
}

const store = (ctx: Context) => ingestOf(ctx).statistics.alertStore;

const employeeIds = listMax(
  'input.employeeIds',
  z.string().min(1, 'employeeIds must not hold empty ids').max(128),
  100,
).nullish();

const createArgs = z.object({
  corpId: z.string().min(1),
  input: z.object({
    name: charsBetween('input.name', 1, 40),
    chatKind: z.enum(['SINGLE', 'GROUP']),
    minutes: intRange('input.minutes', 1, 1440),
    employeeIds,
    enabled: z.boolean().nullish(),
  }),
});

const updateArgs = z.object({
  id: z.string(),
  input: z.object({
    name: charsBetween('input.name', 1, 40).nullish(),
    chatKind: z.enum(['SINGLE', 'GROUP']).nullish(),
    minutes: intRange('input.minutes', 1, 1440).nullish(),
    employeeIds,
    enabled: z.boolean().nullish(),
  }),
});

/** A ReplyTimeoutRule global id → its corp and rule id. */
export function parseReplyRuleId(globalId: string, field = 'id'): { corpId: string; ruleId: string } {
  const parts = splitCorpScopedId(decodeTypedId(globalId, RULE_TYPENAME, field));
  if (!parts)
    throw badUserInput(
      `${field} must be a ReplyTimeoutRule id, got ${JSON.stringify(globalId)}`,
      field,
      globalId,
    );
  return { corpId: parts.corpId, ruleId: parts.localId };
}

export const ruleRawId = (rule: ReplyTimeoutRule) => corpScopedId(rule.corpId, rule.id);
export const alertRawId = (alert: ReplyAlert) => corpScopedId(alert.corpId, alert.id);

export async function createReplyTimeoutRule(args: unknown, ctx: Context): Promise<ReplyTimeoutRule> {
  const { corpId, input } = validate(createArgs, args);
  forCorp(ctx, corpId, 'rules:write');
  const now = Date.now();
  const rule: ReplyTimeoutRule = {
    corpId,
    id: randomUUID().replace(/-/g, '').slice(0, 16),
    name: input.name,
    chatKind: input.chatKind,
    minutes: input.minutes,
    employeeIds: input.employeeIds && input.employeeIds.length > 0 ? input.employeeIds : null,
    enabled: input.enabled ?? true,
    createdAt: now,
    updatedAt: now,
  };
  await store(ctx).putRule(rule);
  return rule;
}

export async function updateReplyTimeoutRule(args: unknown, ctx: Context): Promise<ReplyTimeoutRule> {
  const { id, input } = validate(updateArgs, args);
  const { corpId, ruleId } = parseReplyRuleId(id);
  forCorp(ctx, corpId, 'rules:write');
  const existing = await store(ctx).getRule(corpId, ruleId);
  if (!existing) throw notFound(`reply-time rule ${JSON.stringify(id)} does not exist`);
  const rule: ReplyTimeoutRule = {
    ...existing,
    ...(input.name != null ? { name: input.name } : {}),
    ...(input.chatKind != null ? { chatKind: input.chatKind } : {}),
    ...(input.minutes != null ? { minutes: input.minutes } : {}),
    ...(input.employeeIds !== undefined
      ? { employeeIds: input.employeeIds && input.employeeIds.length > 0 ? input.employeeIds : null }
      : {}),
    ...(input.enabled != null ? { enabled: input.enabled } : {}),
    updatedAt: Date.now(),
  };
  await store(ctx).putRule(rule);
  return rule;
}

export async function deleteReplyTimeoutRule(args: { id: string }, ctx: Context): Promise<string> {
  const { corpId, ruleId } = parseReplyRuleId(args.id);
  forCorp(ctx, corpId, 'rules:write');
  if (!(await store(ctx).deleteRule(corpId, ruleId))) {
    throw notFound(`reply-time rule ${JSON.stringify(args.id)} does not exist`);
  }
  return args.id;
}

export async function replyTimeoutRules(corpId: string, ctx: Context): Promise<ReplyTimeoutRule[]> {
  forCorp(ctx, corpId);
  return store(ctx).listRules(corpId);
}

const alertPageArgs = z.object({
  status: z.enum(['OPEN', 'RESOLVED', 'ALL']).nullish(),
  first: first(100, 20),
  after: z.string().nullish(),
});

export type AlertConnection = {
  edges: { cursor: string; node: ReplyAlert }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
};

const encodeAlertCursor = (seq: number) => Buffer.from(`alert:${seq}`).toString('base64url');

function decodeAlertCursor(cursor: string | null | undefined): number | undefined {
  if (!cursor) return undefined;
  const match = /^alert:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match)
    throw badUserInput(
      `after must be a cursor from replyAlerts, got ${JSON.stringify(cursor)}`,
      'after',
      cursor,
    );
  return Number(match[1]);
}

/** Corp.replyAlerts: newest first. */
export async function replyAlerts(corpId: string, args: unknown, ctx: Context): Promise<AlertConnection> {
  forCorp(ctx, corpId);
  const input = validate(alertPageArgs, args);
  const status: AlertStatusFilter = input.status ?? 'ALL';
  const page = await store(ctx).list(corpId, status, input.first, decodeAlertCursor(input.after));
  const edges = page.items.map((a) => ({ cursor: encodeAlertCursor(a.seq), node: a }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasMore,
      hasPreviousPage: Boolean(input.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

export function alertChat(alert: ReplyAlert): ChatShape {
  if (alert.chatKind === 'GROUP' && alert.chatId)
    return { corpId: alert.corpId, kind: 'GROUP', chatId: alert.chatId };
  const [a, b] = alert.parties;
  return singleChat(alert.corpId, a!, b ?? a!);
}

export async function alertRule(alert: ReplyAlert, ctx: Context): Promise<ReplyTimeoutRule | null> {
  forCorp(ctx, alert.corpId);
  return store(ctx).getRule(alert.corpId, alert.ruleId);
}

/** The message from the index; null once retention trimmed it. */
export async function alertMessage(
  corpId: string,
  msgid: string | null,
  ctx: Context,
): Promise<ArchivedMessage | null> {
  forCorp(ctx, corpId);
  return msgid ? ingestOf(ctx).index.get(corpId, msgid) : null;
}

const corpArgs = z.object({ corpId: z.string().min(1) });

/** replyTimeout: alerts of the corp as they open and resolve; corp checked at start and per event. */
export function subscribeReplyTimeout(args: unknown, ctx: Context): AsyncIterable<ReplyAlertEvent> {
  const { corpId } = validate(corpArgs, args);
  ctx.access.requireCorp(corpId);
  const events = ingestOf(ctx).bus.subscribe('replyAlert', corpId);
  return {
    async *[Symbol.asyncIterator]() {
      for await (const event of events) {
        ctx.access.requireCorp(corpId);
        ctx.renewLoaders();
        yield event;
      }
    },
  };
}
