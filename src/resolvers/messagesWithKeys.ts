import { badUserInput } from '../errors/codes.js';
import type { Context } from './context.js';
import type { CorpLoaders } from './createCorpLoaders.js';
import { decodeGlobalId } from './globalId.js';
import { splitCorpScopedId } from './ids.js';

export type MessageWithKey = { msgid: string; encrypt_info: { secret_key: string } };

/**
 * The `msg_list` of analyze_task_add and specapi/create_job: every message looked up in the index
 * (its encrypted secret key is needed) and its key decrypted. Duplicates are dropped; an unknown
 * message is rejected before any upstream call, naming its position in `messageIds`.
 */
export async function messagesWithKeys(
  corpId: string,
  messageIds: string[],
  loaders: CorpLoaders,
  ctx: Context,
): Promise<{ msgids: string[]; msgList: MessageWithKey[] }> {
  const requested = messageIds.map((id, i) => toMsgid(corpId, id, i));
  const msgids = [...new Set(requested)];
  const messages = await loaders.message.loadMany(msgids);
  const missing = messages.findIndex((m) => m === null || m instanceof Error);
  if (missing >= 0) {
    const index = requested.indexOf(msgids[missing]!);
    throw badUserInput(
      `messageIds must be messages archived for corp "${corpId}" (in the message index), got unknown ${JSON.stringify(messageIds[index])}`,
      `messageIds.${index}`,
      messageIds[index],
    );
  }
  const msgList = await Promise.all(
    messages.map(async (m) => {
      const msg = m as Exclude<typeof m, Error | null>;
      const secretKey = await ctx.ds.keys.decryptSecretKey(
        corpId,
        msg.publicKeyVersion,
        msg.encryptedSecretKey,
      );
      return { msgid: msg.msgid, encrypt_info: { secret_key: secretKey } };
    }),
  );
  return { msgids, msgList };
}

/** A Message global id of this corp, or a bare msgid; `index` names the argument position in errors. */
export function toMsgid(corpId: string, id: string, index: number): string {
  let decoded: { typename: string; id: string } | null = null;
  try {
    decoded = decodeGlobalId(id);
  } catch {
    return id;
  }
  if (decoded.typename !== 'Message') return id;
  const parts = splitCorpScopedId(decoded.id);
  if (!parts || parts.corpId !== corpId) {
    throw badUserInput(
      `messageIds must be messages of corp "${corpId}", got ${JSON.stringify(id)}`,
      `messageIds.${index}`,
      id,
    );
  }
  return parts.localId;
}
