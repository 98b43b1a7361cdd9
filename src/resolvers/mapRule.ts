import type { ChatdataRequest, ChatdataResponse } from '../datasources/wecom/upstreamSchemas.js';
import type { ApplicableRangeShape, RuleDetail } from './shapes.js';

type UpstreamRange = NonNullable<ChatdataResponse<'keyword/get_rule_detail'>['applicable_range']>;
type RangeRequest = NonNullable<ChatdataRequest<'keyword/create_rule'>['applicable_range']>;

export function toRuleDetail(res: ChatdataResponse<'keyword/get_rule_detail'>): RuleDetail {
  return {
    name: res.name,
    keywords: res.keyword?.word_list ?? [],
    behaviours: res.semantics?.semantics_list ?? [],
    applicableRange: res.applicable_range ? toRange(res.applicable_range) : null,
  };
}

function toRange(r: UpstreamRange): ApplicableRangeShape {
  return {
    targetTypes: r.target_type?.type_list ?? [],
    chatTypes: r.chat_type?.type_list ?? [],
    departmentIds: (r.department?.id_list ?? []).map(String),
    userIds: r.user?.id_list ?? [],
    externalUserIds: r.external_contact?.id_list ?? [],
    chatIds: r.chat?.id_list ?? [],
    sessionTypes: r.session_type?.session_type_list ?? [],
    excludeMobiles: r.exclude_mobile?.mobile_list ?? [],
    excludeEmails: r.exclude_email?.email_list ?? [],
    excludeBankCards: r.exclude_bank_card?.bank_card_list ?? [],
  };
}

/** The validated GraphQL input (already numbers) → the upstream `applicable_range`; absent lists stay absent. */
export function toRangeRequest(range: Partial<ApplicableRangeShape>): RangeRequest {
  const out: RangeRequest = {};
  if (range.targetTypes) out.target_type = { type_list: range.targetTypes };
  if (range.chatTypes) out.chat_type = { type_list: range.chatTypes };
  if (range.departmentIds) out.department = { id_list: range.departmentIds.map(Number) };
  if (range.userIds) out.user = { id_list: range.userIds };
  if (range.externalUserIds) out.external_contact = { id_list: range.externalUserIds };
  if (range.chatIds) out.chat = { id_list: range.chatIds };
  if (range.sessionTypes) out.session_type = { session_type_list: range.sessionTypes };
  if (range.excludeMobiles) out.exclude_mobile = { mobile_list: range.excludeMobiles };
  if (range.excludeEmails) out.exclude_email = { email_list: range.excludeEmails };
  if (range.excludeBankCards) out.exclude_bank_card = { bank_card_list: range.excludeBankCards };
  return out;
}
