/**
 * Reply-time rules and the alerts they open. One interface, a memory and a Redis implementation,
 * one contract suite (test/integration/stats/alertStore.contract.test.ts).
 */

export type ChatKindName = 'SINGLE' | 'GROUP';

export type ReplyTimeoutRule = {
  corpId: string;
  id: string;
  name: string;
  chatKind: ChatKindName;
  /** 1..1440 */
  minutes: number;
  /** Only chats one of these employees could answer; null → every employee. */
  employeeIds: string[] | null;
  enabled: boolean;
  /** unix ms; the rule watches customer messages sent from then on. */
  createdAt: number;
  updatedAt: number;
};

export type ReplyAlert = {
  corpId: string;
  /** Deterministic from (rule, chat, customer message): opening twice is a no-op. */
  id: string;
  /** Per-corp order of opening (the listing cursor). */
  seq: number;
  ruleId: string;
  ruleName: string;
  minutes: number;
  chatKey: string;
  chatKind: ChatKindName;
  /** Groups: the chatid. Singles: the two parties. */
  chatId: string | null;
  parties: { type: number; id: string }[];
  customerMsgid: string;
  customerId: string;
  /** unix s */
  customerSentAt: number;
  /** unix ms */
  openedAt: number;
  status: 'OPEN' | 'RESOLVED';
  resolvedAt: number | null;
  /** The employee message that answered; null when the alert was closed without seeing it. */
  resolvedBy: { msgid: string; employeeId: string; sentAt: number } | null;
};

export type AlertStatusFilter = 'OPEN' | 'RESOLVED' | 'ALL';

export type AlertPage = { items: ReplyAlert[]; hasMore: boolean };

export interface AlertStore {
  listRules(corpId: string): Promise<ReplyTimeoutRule[]>;
  getRule(corpId: string, ruleId: string): Promise<ReplyTimeoutRule | null>;
  putRule(rule: ReplyTimeoutRule): Promise<void>;
  /** True when the rule existed. */
  deleteRule(corpId: string, ruleId: string): Promise<boolean>;
  /** Stores the alert (its seq assigned here) unless one with its id exists; the stored alert or null. */
  open(alert: Omit<ReplyAlert, 'seq'>): Promise<ReplyAlert | null>;
  /** Resolves the chat's OPEN alerts; returns those this call resolved. */
  resolveChat(
    corpId: string,
    chatKey: string,
    resolvedAt: number,
    by: ReplyAlert['resolvedBy'],
  ): Promise<ReplyAlert[]>;
  /** Newest first; `beforeSeq` is the exclusive cursor. */
  list(corpId: string, status: AlertStatusFilter, first: number, beforeSeq?: number): Promise<AlertPage>;
  openAlerts(corpId: string, limit: number): Promise<ReplyAlert[]>;
  purge(corpId: string): Promise<void>;
}

/** Published on the event bus (topic `replyAlert`) by the process that made the change. */
export type ReplyAlertEvent = { corpId: string; change: 'OPENED' | 'RESOLVED'; alert: ReplyAlert };
