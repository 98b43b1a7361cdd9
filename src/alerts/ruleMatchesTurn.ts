import type { PendingTurn } from '../stats/StatsStore.js';
import type { ReplyTimeoutRule } from './AlertStore.js';

/**
 * Whether `rule` fires for a waiting turn at `nowS`: same chat kind, the customer message sent
 * after the rule was created (a new rule does not flood the backlog), its deadline
 * (sent + minutes) reached, and, when the rule names employees, one of them able to answer.
 */
export function ruleMatchesTurn(rule: ReplyTimeoutRule, turn: PendingTurn, nowS: number): boolean {
  if (!rule.enabled || rule.chatKind !== turn.kind) return false;
  if (turn.at < Math.floor(rule.createdAt / 1000)) return false;
  if (turn.at + rule.minutes * 60 > nowS) return false;
  if (rule.employeeIds && rule.employeeIds.length > 0) {
    return turn.employeeIds.some((id) => rule.employeeIds!.includes(id));
  }
  return true;
}
