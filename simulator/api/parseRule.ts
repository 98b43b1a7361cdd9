import type { CorpRuntime } from '../domain/CorpRuntime.js';
import { type ApplicableRange, EMPTY_RANGE } from '../domain/KeywordRule.js';
import { INVALID_PARAMETER, WecomError } from '../http/WecomError.js';
import { type Body, charLength, intList, optArray, optObject, optString, stringList } from './params.js';

/**
 * Department, user, external-contact and chat lists of a rule's range hold ≤100 entries each on
 * the HTTP API (doc 99676, docs/upstream.md §8.4); the 1000/2000 of §3.5 are the data zone's.
 */
const MAX_RANGE_IDS = 100;

export type RuleInput = { name?: string; words?: string[]; semantics?: number[]; range?: ApplicableRange };

function list(obj: Body | undefined, name: string): unknown[] | undefined {
  return obj ? optArray(obj, name) : undefined;
}

function capped<T>(items: T[], max: number, what: string, code = INVALID_PARAMETER): T[] {
  if (items.length > max)
    throw new WecomError(code, `${what} must hold <= ${max} entries, got ${items.length}`);
  return items;
}

function enumList(items: number[], allowed: number[], what: string, code = INVALID_PARAMETER): number[] {
  const bad = items.find((x) => !allowed.includes(x));
  if (bad !== undefined)
    throw new WecomError(code, `${what} values must be in ${allowed.join('/')}, got ${bad}`);
  return items;
}

/** Ids must belong to the corp: unknown ones are "not in authorized scope" (710606–710609). */
function known(ids: string[], valid: Set<string>, code: number, what: string): string[] {
  const bad = ids.find((x) => !valid.has(x));
  if (bad !== undefined) throw new WecomError(code, `${what} ${bad} is not in the authorized scope`);
  return ids;
}

/** applicable_range; on update a list that is absent keeps the old value and [] clears it. */
export function parseRange(raw: Body, corp: CorpRuntime, base: ApplicableRange): ApplicableRange {
  const d = corp.data;
  const r = { ...base };
  const sub = (name: string) => optObject(raw, name);
  const pick = <T>(v: unknown[] | undefined, f: (v: unknown[]) => T[], key: keyof ApplicableRange) => {
    if (v !== undefined) (r as Record<string, unknown>)[key] = f(v);
  };
  pick(
    list(sub('target_type'), 'type_list'),
    (v) => enumList(intList(v, 'target_type.type_list'), [1, 2], 'target_type.type_list'),
    'targetTypes',
  );
  pick(
    list(sub('chat_type'), 'type_list'),
    (v) => enumList(intList(v, 'chat_type.type_list'), [1, 2], 'chat_type.type_list'),
    'chatTypes',
  );
  pick(
    list(sub('session_type'), 'session_type_list'),
    (v) => enumList(intList(v, 'session_type_list'), [1, 2], 'session_type_list', 710615),
    'sessionTypes',
  );
  pick(
    list(sub('department'), 'id_list'),
    (v) => {
      const ids = capped(intList(v, 'department.id_list'), MAX_RANGE_IDS, 'department.id_list');
      const bad = ids.find((x) => !d.departments.some((dep) => dep.id === x));
      if (bad !== undefined) throw new WecomError(710607, `department ${bad} is not in the authorized scope`);
      return ids;
    },
    'departments',
  );
  pick(
    list(sub('user'), 'id_list'),
    (v) =>
      known(
        capped(stringList(v, 'user.id_list'), MAX_RANGE_IDS, 'user.id_list'),
        new Set(d.employees.map((e) => e.openUserId)),
        710608,
        'user',
      ),
    'users',
  );
  pick(
    list(sub('external_contact'), 'id_list'),
    (v) =>
      known(
        capped(stringList(v, 'external_contact.id_list'), MAX_RANGE_IDS, 'external_contact.id_list'),
        new Set(d.customers.map((c) => c.externalUserId)),
        710609,
        'external contact',
      ),
    'externals',
  );
  pick(
    list(sub('chat'), 'id_list'),
    (v) =>
      known(
        capped(stringList(v, 'chat.id_list'), MAX_RANGE_IDS, 'chat.id_list', 710649),
        new Set(d.groups.map((g) => g.chatId)),
        710606,
        'chat',
      ),
    'chats',
  );
  pick(
    list(sub('exclude_mobile'), 'mobile_list'),
    (v) => {
      const m = capped(stringList(v, 'mobile_list'), 100, 'exclude_mobile.mobile_list');
      const bad = m.find((x) => !/^(\+\d{1,3})?1\d{10}$/.test(x));
      if (bad !== undefined) throw new WecomError(710621, `phone number format wrong: ${bad}`);
      return m;
    },
    'excludeMobiles',
  );
  pick(
    list(sub('exclude_email'), 'email_list'),
    (v) => capped(stringList(v, 'email_list'), 100, 'exclude_email.email_list'),
    'excludeEmails',
  );
  pick(
    list(sub('exclude_bank_card'), 'bank_card_list'),
    (v) => {
      const m = capped(stringList(v, 'bank_card_list'), 100, 'exclude_bank_card.bank_card_list');
      const bad = m.find((x) => !/^\d{12,19}$/.test(x));
      if (bad !== undefined) throw new WecomError(710622, `bank card format wrong: ${bad}`);
      return m;
    },
    'excludeBankCards',
  );
  return r;
}

/** create_rule / update_rule fields; `creating` makes name and one list required. */
export function parseRule(body: Body, corp: CorpRuntime, base: ApplicableRange | null): RuleInput {
  const out: RuleInput = {};
  const name = optString(body, 'name');
  if (name !== undefined || base === null) {
    const n = name ?? '';
    if (charLength(n) < 1 || charLength(n) > 20)
      throw new WecomError(INVALID_PARAMETER, `name must be 1-20 characters, got ${charLength(n)}`);
    out.name = n;
  }
  const keyword = optObject(body, 'keyword');
  if (keyword) {
    const words = optArray(keyword, 'word_list');
    if (words === undefined) throw new WecomError(710650, 'keyword.word_list missing');
    out.words = capped(stringList(words, 'keyword.word_list'), 20, 'keyword.word_list');
    const bad = out.words.find((w) => charLength(w) < 1 || charLength(w) > 32);
    if (bad !== undefined)
      throw new WecomError(
        INVALID_PARAMETER,
        `each keyword must be 1-32 characters, got ${JSON.stringify(bad)}`,
      );
  }
  const semantics = optObject(body, 'semantics');
  if (semantics) {
    const sl = intList(optArray(semantics, 'semantics_list') ?? [], 'semantics.semantics_list');
    const bad = sl.find((x) => x < 1 || x > 12);
    if (bad !== undefined) throw new WecomError(710648, `semantics values must be 1..12, got ${bad}`);
    out.semantics = [...new Set(sl)];
  }
  const range = optObject(body, 'applicable_range');
  if (range) out.range = parseRange(range, corp, base ?? EMPTY_RANGE);
  return out;
}
