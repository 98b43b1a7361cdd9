import { z } from 'zod';
import type { ArchivedMessage } from '../datasources/store/ports.js';
import type { ChatdataResponse } from '../datasources/wecom/upstreamSchemas.js';
import { badUserInput } from '../errors/codes.js';
import type { Context } from './context.js';
import { forCorp } from './forCorp.js';
import { parseRuleId } from './keywordRuleResolvers.js';
import type { KeywordHitShape } from './shapes.js';
import { type Connection, upstreamConnection } from './upstreamConnection.js';
import { after, first } from './validation/rules.js';
import { validate } from './validation/validate.js';

const hitArgs = z.object({ ruleId: z.string().nullish(), first: first(100), after });

type HitItem = ChatdataResponse<'keyword/get_hit_msg_list'>['msg_list'][number];

/**
 * keyword/get_hit_msg_list with need_detail=1, one edge per (message, hit rule). Without the
 * `Token` of a hit_keyword callback upstream applies its strict rate limit to this call; the
 * callback-driven ingestion will use the token, this query does not have one. `ruleId` filters
 * within each upstream page, so a filtered page may hold fewer than `first` edges.
 */
export async function keywordHits(
  corpId: string,
  args: { ruleId?: string | null; first?: number | null; after?: string | null },
  ctx: Context,
): Promise<Connection<KeywordHitShape>> {
  forCorp(ctx, corpId);
  const input = validate(hitArgs, args);
  const ruleId = input.ruleId ? parseRuleId(input.ruleId, 'ruleId') : null;
  if (ruleId && ruleId.corpId !== corpId) {
    throw badUserInput(
      `ruleId must be a KeywordRule of corp "${corpId}", got a rule of another corp`,
      'ruleId',
      input.ruleId,
    );
  }
  return upstreamConnection({
    first: input.first,
    after: input.after,
    maxLimit: 1000,
    fetch: async (cursor, limit) => {
      const res = await ctx.ds.api.chatdata(corpId, 'keyword/get_hit_msg_list', {
        cursor,
        limit,
        need_detail: 1,
      });
      const items = res.msg_list
        .flatMap((m) => toHits(corpId, m))
        .filter((h) => !ruleId || h.ruleId === ruleId.ruleId);
      return { items, nextCursor: res.next_cursor, hasMore: res.has_more };
    },
    toNodes: (items) => items,
  });
}

function toHits(corpId: string, item: HitItem): KeywordHitShape[] {
  const d = item.msg_detail;
  const message: ArchivedMessage | null = d
    ? {
        corpId,
        msgid: item.msgid,
        sender: d.sender,
        receivers: d.receiver_list,
        chatId: d.chatid ?? null,
        sendTime: d.send_time,
        msgtype: d.msgtype,
        encryptedSecretKey: d.service_encrypt_info.encrypted_secret_key,
        publicKeyVersion: d.service_encrypt_info.public_key_ver,
      }
    : null;
  return item.hit_rule_list.map((hit) => ({
    corpId,
    msgid: item.msgid,
    ruleId: hit.rule_id,
    hasHitKeyword: hit.has_hit_keyword,
    behaviours: hit.semantics_list,
    message,
  }));
}
