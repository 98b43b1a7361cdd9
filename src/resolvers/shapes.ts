import type { ArchivedMessage } from '../datasources/store/ports.js';

/** The backing objects of the schema's types: plain data, never upstream responses verbatim. */

/** `type`: 1 employee, 2 external contact, 3 robot (upstream enum). */
export type ParticipantShape = { type: number; id: string };

export type GroupChatShape = { corpId: string; kind: 'GROUP'; chatId: string };
export type SingleChatShape = {
  corpId: string;
  kind: 'SINGLE';
  /** Sorted by `type:id`, so one conversation has one id whoever sent first. */
  parties: [ParticipantShape, ParticipantShape];
};
export type ChatShape = GroupChatShape | SingleChatShape;

export type ChatMemberShape = ParticipantShape & { joinedAt: number | null };

/** `groupchat/get`; null when upstream has no data for the group (customer groups, 301059). */
export type GroupChatInfo = { creator: string; createdAt: number | null; members: ChatMemberShape[] };

export type ConsentStatus = 'AGREE' | 'DISAGREE' | 'DEFAULT_AGREE';
export type ConsentShape = {
  employeeId: string | null;
  externalUserId: string;
  chatId: string | null;
  status: ConsentStatus;
  /** unix seconds */
  changedAt: number | null;
};

export type KeywordRuleShape = {
  corpId: string;
  ruleId: string;
  /** Known when the rule came from `get_rule_list`; otherwise read from the detail. */
  name?: string | undefined;
  /** unix seconds; only `get_rule_list` reports it. */
  createTime?: number | null | undefined;
};

export type ApplicableRangeShape = {
  targetTypes: number[];
  chatTypes: number[];
  departmentIds: string[];
  userIds: string[];
  externalUserIds: string[];
  chatIds: string[];
  sessionTypes: number[];
  excludeMobiles: string[];
  excludeEmails: string[];
  excludeBankCards: string[];
};

export type RuleDetail = {
  name: string;
  keywords: string[];
  behaviours: number[];
  applicableRange: ApplicableRangeShape | null;
};

export type MessageShape = ArchivedMessage;

export type KeywordHitShape = {
  corpId: string;
  msgid: string;
  ruleId: string;
  hasHitKeyword: boolean;
  behaviours: number[];
  message: ArchivedMessage | null;
};

export type AuthorizedUserShape = ParticipantShape & { editions: number[] };
