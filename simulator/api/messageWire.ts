import type { ArchivedMessage } from '../domain/types.js';

/** A msgtype no page documents (0..28 are). */
const UNKNOWN_MSGTYPE = 9999;

/**
 * A sync_msg item: metadata and the encrypted per-message key, never content. A malformed
 * record breaks the shape the way its `malformed` says.
 */
export function messageWire(m: ArchivedMessage, withMsgid = true): Record<string, unknown> {
  return {
    ...(withMsgid ? { msgid: m.msgid } : {}),
    sender: { type: m.sender.type, id: m.sender.id },
    receiver_list: m.receivers.map((r) => ({ type: r.type, id: r.id })),
    ...(m.chatId ? { chatid: m.chatId } : {}),
    send_time: m.malformed === 'wrong_type' ? String(m.sendTime) : m.sendTime,
    msgtype: m.malformed === 'unknown_msgtype' ? UNKNOWN_MSGTYPE : m.msgtype,
    ...(m.malformed === 'no_encrypt_info'
      ? {}
      : {
          service_encrypt_info: {
            encrypted_secret_key: m.encryptedSecretKey,
            public_key_ver: m.publicKeyVer,
          },
        }),
  };
}
