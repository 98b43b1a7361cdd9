import { randomBytes } from 'node:crypto';
import type { CorpRuntime } from '../domain/CorpRuntime.js';
import { EMPTY_RANGE, type KeywordRule, rangeToWire } from '../domain/KeywordRule.js';
import { type ApiCall, corpOf, type Route } from '../http/Route.js';
import { WecomError } from '../http/WecomError.js';
import { hasMore } from './hasMore.js';
import { limitParam, optString, reqString } from './params.js';
import { parseRule } from './parseRule.js';

const MAX_RULES = 500;
const RULE_ID = /^kr[0-9a-f]{16}$/;

/** 710620 for an id that cannot be a rule id, 710612 for one that does not (or no longer) exist. */
function ruleOf(corp: CorpRuntime, ruleId: string): KeywordRule {
  if (!RULE_ID.test(ruleId)) throw new WecomError(710620, `invalid rule_id ${JSON.stringify(ruleId)}`);
  const rule = corp.rules.get(ruleId);
  if (!rule) throw new WecomError(710612, `rule_id ${ruleId} does not exist`);
  return rule;
}

function requireOneList(words: string[], semantics: number[]): void {
  if (words.length === 0 && semantics.length === 0) {
    throw new WecomError(710610, 'keyword.word_list and semantics.semantics_list are both empty');
  }
}

function createRule(call: ApiCall) {
  const corp = corpOf(call);
  if (corp.rules.size >= MAX_RULES)
    throw new WecomError(710619, `keyword rule count over limit: at most ${MAX_RULES} rules`);
  const input = parseRule(call.body, corp, null);
  const words = input.words ?? [];
  const semantics = input.semantics ?? [];
  requireOneList(words, semantics);
  const ruleId = `kr${randomBytes(8).toString('hex')}`;
  corp.rules.set(ruleId, {
    ruleId,
    name: input.name!,
    words,
    semantics,
    range: input.range ?? EMPTY_RANGE,
    createTime: call.state.clock.nowS(),
  });
  return { rule_id: ruleId };
}

function updateRule(call: ApiCall) {
  const corp = corpOf(call);
  const rule = ruleOf(corp, reqString(call.body, 'rule_id', 710620));
  const input = parseRule(call.body, corp, rule.range);
  const next = {
    ...rule,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.words !== undefined ? { words: input.words } : {}),
    ...(input.semantics !== undefined ? { semantics: input.semantics } : {}),
    ...(input.range !== undefined ? { range: input.range } : {}),
  };
  requireOneList(next.words, next.semantics);
  corp.rules.set(rule.ruleId, next);
  return {};
}

function ruleList(call: ApiCall) {
  const corp = corpOf(call);
  const limit = limitParam(call.body, 100, 1000);
  const pos = call.state.cursors.decode('rules', corp.corpId, optString(call.body, 'cursor'), 50100);
  const rules = [...corp.rules.values()];
  const page = rules.slice(pos, pos + limit);
  const next = pos + page.length;
  return {
    rule_list: page.map((r) => ({ rule_id: r.ruleId, name: r.name, create_time: r.createTime })),
    has_more: hasMore(call.state.options, call.path, next < rules.length),
    next_cursor: next < rules.length ? call.state.cursors.encode('rules', corp.corpId, next) : '',
  };
}

export function keywordRoutes(): Route[] {
  const base = '/cgi-bin/chatdata/keyword';
  return [
    { path: `${base}/create_rule`, auth: 'corp', handle: createRule },
    { path: `${base}/update_rule`, auth: 'corp', handle: updateRule },
    {
      path: `${base}/delete_rule`,
      auth: 'corp',
      handle: (call) => {
        const corp = corpOf(call);
        corp.rules.delete(ruleOf(corp, reqString(call.body, 'rule_id', 710620)).ruleId);
        return {};
      },
    },
    { path: `${base}/get_rule_list`, auth: 'corp', handle: ruleList },
    {
      path: `${base}/get_rule_detail`,
      auth: 'corp',
      handle: (call) => {
        const rule = ruleOf(corpOf(call), reqString(call.body, 'rule_id', 710620));
        return {
          rule_id: rule.ruleId,
          name: rule.name,
          keyword: { word_list: rule.words },
          semantics: { semantics_list: rule.semantics },
          applicable_range: rangeToWire(rule.range),
          create_time: rule.createTime,
        };
      },
    },
  ];
}
