import type { WecomApi } from '../ports.js';
import { isOutcomeUnknown } from '../upstreamCallKinds.js';
import { WecomError } from '../WecomError.js';

/** 710612: no such rule. */
export const RULE_NOT_FOUND = 710612;

/**
 * keyword/delete_rule: when the answer is lost, the delete is asked again, which is safe: the
 * rule is gone either way, and 710612 (no such rule) then means the lost call did it.
 */
export async function deleteRuleReconciled(
  api: Pick<WecomApi, 'chatdata'>,
  corpId: string,
  ruleId: string,
): Promise<void> {
  try {
    await api.chatdata(corpId, 'keyword/delete_rule', { rule_id: ruleId });
    return;
  } catch (error) {
    if (!isOutcomeUnknown(error)) throw error;
  }
  try {
    await api.chatdata(corpId, 'keyword/delete_rule', { rule_id: ruleId });
  } catch (error) {
    if (error instanceof WecomError && error.errcode === RULE_NOT_FOUND) return;
    throw error;
  }
}
