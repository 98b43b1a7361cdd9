import type { KeywordRule } from './KeywordRule.js';
import type { CorpData, DraftMessage } from './types.js';

export type RuleHit = { rule_id: string; has_hit_keyword: boolean; semantics_list: number[] };

const PHONE = /(?:\+?86[ -]?)?1[3-9]\d{9}/g;
const EMAIL = /[\w.+-]+@[\w-]+\.[\w.]+/g;
const BANK_CARD = /(?<!\d)(?:62|4|5)\d{14,17}(?!\d)/g;
const ID_CARD = /(?<!\d)\d{17}[\dXx](?!\d)/;
const URL = /https?:\/\/\S+/;

const digitsOf = (s: string) => s.replace(/\D/g, '').replace(/^86(?=1\d{10}$)/, '');

function found(re: RegExp, text: string, whitelist: string[], norm: (s: string) => string): boolean {
  const allowed = new Set(whitelist.map(norm));
  return [...text.matchAll(re)].some((m) => !allowed.has(norm(m[0])));
}

/** Which key behaviours (semantics 1..12) a message shows, after the rule's whitelists. */
function behaviours(msg: DraftMessage, rule: KeywordRule): Set<number> {
  const t = msg.searchText;
  const out = new Set<number>();
  if (msg.msgtype === 13) out.add(1);
  if (found(PHONE, t, rule.range.excludeMobiles, digitsOf)) out.add(2);
  if (found(EMAIL, t, rule.range.excludeEmails, (s) => s.toLowerCase())) out.add(3);
  if (msg.msgtype === 9) out.add(4);
  if (msg.qrCode) out.add(5);
  if (msg.recalled) out.add(6);
  if (found(BANK_CARD, t, rule.range.excludeBankCards, digitsOf)) out.add(7);
  if (ID_CARD.test(t)) out.add(8);
  if (msg.msgtype === 8) out.add(9);
  if (msg.msgtype === 4 || URL.test(t)) out.add(10);
  if (msg.msgtype === 5) out.add(11);
  if (msg.welcome) out.add(12);
  return out;
}

/**
 * Applicable range: target/chat/session types must each pass; the subject lists (department, user,
 * external contact, chat) pass when any of them names the message's sender or chat. [I] combination.
 */
function inRange(msg: DraftMessage, rule: KeywordRule, corp: CorpData): boolean {
  const r = rule.range;
  if (r.targetTypes.length && !r.targetTypes.includes(msg.sender.type)) return false;
  if (r.chatTypes.length && !r.chatTypes.includes(msg.chatId ? 2 : 1)) return false;
  const external = [msg.sender, ...msg.receivers].some((p) => p.type === 2);
  if (r.sessionTypes.length && !r.sessionTypes.includes(external ? 2 : 1)) return false;
  const subjectLists = r.departments.length + r.users.length + r.externals.length + r.chats.length;
  if (subjectLists === 0) return true;
  const dept = corp.employees.find((e) => e.openUserId === msg.sender.id)?.departmentId;
  return (
    (dept !== undefined && r.departments.includes(dept)) ||
    r.users.includes(msg.sender.id) ||
    r.externals.includes(msg.sender.id) ||
    (msg.chatId !== null && r.chats.includes(msg.chatId))
  );
}

/** Keywords match case-insensitively in the searchable text; OR across words and behaviours. */
export function matchRule(rule: KeywordRule, msg: DraftMessage, corp: CorpData): RuleHit | null {
  if (!inRange(msg, rule, corp)) return null;
  const text = msg.searchText.toLowerCase();
  const hasHitKeyword = rule.words.some((w) => text.includes(w.toLowerCase()));
  const seen = behaviours(msg, rule);
  const semantics = rule.semantics.filter((s) => seen.has(s));
  if (!hasHitKeyword && semantics.length === 0) return null;
  return { rule_id: rule.ruleId, has_hit_keyword: hasHitKeyword, semantics_list: semantics };
}
