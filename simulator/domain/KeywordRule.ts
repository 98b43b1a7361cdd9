/** One keyword rule; empty lists mean "no restriction" (and an update with [] clears a setting). */
export type ApplicableRange = {
  targetTypes: number[];
  chatTypes: number[];
  departments: number[];
  users: string[];
  externals: string[];
  chats: string[];
  sessionTypes: number[];
  excludeMobiles: string[];
  excludeEmails: string[];
  excludeBankCards: string[];
};

export type KeywordRule = {
  ruleId: string;
  name: string;
  words: string[];
  semantics: number[];
  range: ApplicableRange;
  createTime: number;
};

export const EMPTY_RANGE: ApplicableRange = {
  targetTypes: [],
  chatTypes: [],
  departments: [],
  users: [],
  externals: [],
  chats: [],
  sessionTypes: [],
  excludeMobiles: [],
  excludeEmails: [],
  excludeBankCards: [],
};

/** The range in the wire shape of get_rule_detail, set lists only. */
export function rangeToWire(r: ApplicableRange): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.targetTypes.length) out['target_type'] = { type_list: r.targetTypes };
  if (r.chatTypes.length) out['chat_type'] = { type_list: r.chatTypes };
  if (r.departments.length) out['department'] = { id_list: r.departments };
  if (r.users.length) out['user'] = { id_list: r.users };
  if (r.externals.length) out['external_contact'] = { id_list: r.externals };
  if (r.chats.length) out['chat'] = { id_list: r.chats };
  if (r.sessionTypes.length) out['session_type'] = { session_type_list: r.sessionTypes };
  if (r.excludeMobiles.length) out['exclude_mobile'] = { mobile_list: r.excludeMobiles };
  if (r.excludeEmails.length) out['exclude_email'] = { email_list: r.excludeEmails };
  if (r.excludeBankCards.length) out['exclude_bank_card'] = { bank_card_list: r.excludeBankCards };
  return out;
}
