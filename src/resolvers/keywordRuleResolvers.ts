import { z } from 'zod';
import { createRuleReconciled } from '../datasources/wecom/reconcile/createRuleReconciled.js';
import { deleteRuleReconciled } from '../datasources/wecom/reconcile/deleteRuleReconciled.js';
import type { ChatdataRequest } from '../datasources/wecom/upstreamSchemas.js';
import { badUserInput, notFound } from '../errors/codes.js';
import type { Context } from './context.js';
import { forCorp } from './forCorp.js';
import { decodeTypedId, encodeGlobalId } from './globalId.js';
import { corpScopedId, splitCorpScopedId } from './ids.js';
import { createRuleArgs, definedLists, updateRuleArgs } from './keywordRuleInput.js';
import { knownTime } from './knownTime.js';
import { toRangeRequest } from './mapRule.js';
import type { ApplicableRangeShape, KeywordRuleShape, RuleDetail } from './shapes.js';
import { type Connection, upstreamConnection } from './upstreamConnection.js';
import { after, first } from './validation/rules.js';
import { validate } from './validation/validate.js';

const pageArgs = z.object({ first: first(100), after });

export async function keywordRules(
  corpId: string,
  args: { first?: number | null; after?: string | null },
  ctx: Context,
): Promise<Connection<KeywordRuleShape>> {
  forCorp(ctx, corpId);
  const page = validate(pageArgs, args);
  return upstreamConnection({
    first: page.first,
    after: page.after,
    maxLimit: 1000,
    fetch: async (cursor, limit) => {
      const res = await ctx.ds.api.chatdata(corpId, 'keyword/get_rule_list', { cursor, limit });
      return { items: res.rule_list, nextCursor: res.next_cursor, hasMore: res.has_more };
    },
    toNodes: (items) =>
      items.map((r) => ({ corpId, ruleId: r.rule_id, name: r.name, createTime: knownTime(r.create_time) })),
  });
}

/** Global KeywordRule id → its parts; BAD_USER_INPUT when it is not one. */
export function parseRuleId(globalId: string, field = 'id'): { corpId: string; ruleId: string } {
  const parts = splitCorpScopedId(decodeTypedId(globalId, 'KeywordRule', field));
  if (!parts)
    throw badUserInput(`${field} must be a KeywordRule id, got ${JSON.stringify(globalId)}`, field, globalId);
  return { corpId: parts.corpId, ruleId: parts.localId };
}

/** `node(id:)` and `Corp.keywordRule(id:)`: null when upstream does not know the rule (710612). */
export async function loadRule(
  corpId: string,
  ruleId: string,
  ctx: Context,
): Promise<KeywordRuleShape | null> {
  const detail = await forCorp(ctx, corpId).ruleDetail.load(ruleId);
  return detail ? { corpId, ruleId, name: detail.name } : null;
}

export function loadRuleNode(rawId: string, ctx: Context): Promise<KeywordRuleShape | null> | null {
  const parts = splitCorpScopedId(rawId);
  return parts ? loadRule(parts.corpId, parts.localId, ctx) : null;
}

export async function ruleOfCorp(
  corpId: string,
  globalId: string,
  ctx: Context,
): Promise<KeywordRuleShape | null> {
  forCorp(ctx, corpId);
  const id = parseRuleId(globalId);
  if (id.corpId !== corpId) {
    throw badUserInput(
      `id must be a KeywordRule of corp "${corpId}", got a rule of another corp`,
      'id',
      globalId,
    );
  }
  return loadRule(corpId, id.ruleId, ctx);
}

/** keyword/get_rule_detail through the per-request loader (one call per rule id). */
export async function ruleDetail(rule: KeywordRuleShape, ctx: Context): Promise<RuleDetail> {
  const detail = await forCorp(ctx, rule.corpId).ruleDetail.load(rule.ruleId);
  if (!detail) throw notFound(`keyword rule "${rule.ruleId}" no longer exists upstream`);
  return detail;
}

export async function ruleName(rule: KeywordRuleShape, ctx: Context): Promise<string> {
  return rule.name ?? (await ruleDetail(rule, ctx)).name;
}

export async function createKeywordRule(
  args: { corpId: string; input: unknown },
  ctx: Context,
): Promise<KeywordRuleShape> {
  forCorp(ctx, args.corpId, 'rules:write');
  const { input } = validate(createRuleArgs, { input: args.input });
  const body: ChatdataRequest<'keyword/create_rule'> = { name: input.name };
  if (input.keywords?.length) body.keyword = { word_list: input.keywords };
  if (input.behaviours?.length) body.semantics = { semantics_list: [...new Set(input.behaviours)] };
  if (input.applicableRange) body.applicable_range = toRangeRequest(rangeOf(input.applicableRange));
  // A lost answer is reconciled by reading the rules back, never by creating a twin blindly.
  const { ruleId } = await createRuleReconciled(ctx.ds.api, args.corpId, body);
  return { corpId: args.corpId, ruleId, name: input.name };
}

export async function updateKeywordRule(
  args: { id: string; input: unknown },
  ctx: Context,
): Promise<KeywordRuleShape> {
  const { corpId, ruleId } = parseRuleId(args.id);
  const loaders = forCorp(ctx, corpId, 'rules:write');
  const { input } = validate(updateRuleArgs, { input: args.input });
  const body: ChatdataRequest<'keyword/update_rule'> = { rule_id: ruleId };
  if (input.name != null) body.name = input.name;
  if (input.keywords != null) body.keyword = { word_list: input.keywords };
  if (input.behaviours != null) body.semantics = { semantics_list: [...new Set(input.behaviours)] };
  if (input.applicableRange != null) body.applicable_range = toRangeRequest(rangeOf(input.applicableRange));
  await ctx.ds.api.chatdata(corpId, 'keyword/update_rule', body);
  loaders.ruleDetail.clear(ruleId);
  return { corpId, ruleId };
}

export async function deleteKeywordRule(args: { id: string }, ctx: Context): Promise<string> {
  const { corpId, ruleId } = parseRuleId(args.id);
  const loaders = forCorp(ctx, corpId, 'rules:write');
  await deleteRuleReconciled(ctx.ds.api, corpId, ruleId);
  loaders.ruleDetail.clear(ruleId);
  return encodeGlobalId('KeywordRule', corpScopedId(corpId, ruleId));
}

function rangeOf(range: Parameters<typeof definedLists>[0]): Partial<ApplicableRangeShape> {
  return definedLists(range) as Partial<ApplicableRangeShape>;
}
