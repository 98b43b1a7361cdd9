import type { ArchivedMessage } from '../datasources/ports.js';
import type { ChatdataResponse } from '../datasources/upstreamSchemas.js';

type UpstreamMessage = ChatdataResponse<'sync_msg'>['msg_list'][number];

/** sync_msg item → the index's shape. */
export function toArchivedMessage(corpId: string, m: UpstreamMessage): ArchivedMessage {
  return {
    corpId,
    msgid: m.msgid,
    sender: { type: m.sender.type, id: m.sender.id },
    receivers: m.receiver_list.map((r) => ({ type: r.type, id: r.id })),
    chatId: m.chatid ? m.chatid : null,
    sendTime: m.send_time,
    msgtype: m.msgtype,
    encryptedSecretKey: m.service_encrypt_info.encrypted_secret_key,
    publicKeyVersion: m.service_encrypt_info.public_key_ver,
  };
}
