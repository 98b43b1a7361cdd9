import type { ArchivedMessage } from '../domain/types.js';

/** A sync_msg item: metadata and the encrypted per-message key, never content. */
export function messageWire(m: ArchivedMessage, withMsgid = true): Record<string, unknown> {
  return {
    ...(withMsgid ? { msgid: m.msgid } : {}),
    sender: { type: m.sender.type, id: m.sender.id },
    receiver_list: m.receivers.map((r) => ({ type: r.type, id: r.id })),
    ...(m.chatId ? { chatid: m.chatId } : {}),
    send_time: m.sendTime,
    msgtype: m.msgtype,
    service_encrypt_info: { encrypted_secret_key: m.encryptedSecretKey, public_key_ver: m.publicKeyVer },
  };
}
