import type { WecomApi } from '../ports.js';
import { isOutcomeUnknown, unknownWithAdvice } from '../upstreamCallKinds.js';
import type { ChatdataRequest } from '../upstreamSchemas.js';
import type { WecomError } from '../WecomError.js';

type Api = Pick<WecomApi, 'chatdata'>;
type RuleBody = ChatdataRequest<'keyword/create_rule'>;

const sorted = <T>(values: readonly T[] | undefined): string => JSON.stringify([...(values ?? [])].sort());

/** Rules named like `body` whose keywords and behaviours are the same: the rule a lost call made. */
async function findRule(api: Api, corpId: string, body: RuleBody): Promise<string | null> {
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const list = await api.chatdata(corpId, 'keyword/get_rule_list', {
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    for (const rule of list.rule_list.filter((r) => r.name === body.name)) {
      const detail = await api.chatdata(corpId, 'keyword/get_rule_detail', { rule_id: rule.rule_id });
      const sameWords = sorted(detail.keyword?.word_list) === sorted(body.keyword?.word_list);
      const sameBehaviours =
        sorted(detail.semantics?.semantics_list) === sorted(body.semantics?.semantics_list);
      if (sameWords && sameBehaviours) return rule.rule_id;
    }
    if (!list.has_more || !list.next_cursor) return null;
    cursor = list.next_cursor;
  }
  return null;
}

/**
 * keyword/create_rule without a blind repeat: when the answer is lost, the rule list is read back
 * and a rule with the same name, keywords and behaviours is taken as the one the call created;
 * only if there is none is the rule created again (once). A rule the corp already had with that
 * exact content is returned too: creating its twin would only double every hit.
 * `reconciled` says the id came from the read-back.
 */
export async function createRuleReconciled(
  api: Api,
  corpId: string,
  body: RuleBody,
): Promise<{ ruleId: string; reconciled: boolean }> {
  let lost: WecomError;
  try {
    return { ruleId: (await api.chatdata(corpId, 'keyword/create_rule', body)).rule_id, reconciled: false };
  } catch (error) {
    if (!isOutcomeUnknown(error)) throw error;
    lost = error;
  }
  let found: string | null;
  try {
    found = await findRule(api, corpId, body);
  } catch {
    throw unknownWithAdvice(
      lost,
      `reading the rule list back failed too: look for a rule named ${JSON.stringify(body.name)} in ` +
        'keywordRules before creating it again',
    );
  }
  if (found !== null) return { ruleId: found, reconciled: true };
  return { ruleId: (await api.chatdata(corpId, 'keyword/create_rule', body)).rule_id, reconciled: true };
}
