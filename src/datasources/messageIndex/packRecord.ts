import type { ArchivedMessage } from '../ports.js';

/**
 * Compact record of one message in Redis: a JSON header, a newline, then the RSA ciphertext of
 * the secret key as raw bytes (256 bytes for RSA-2048, instead of 344 as base64).
 * Header: [sendTime, msgtype, publicKeyVersion, senderType, senderId, [[type,id]…], chatId|0].
 */
export function packRecord(message: ArchivedMessage): Buffer {
  const header = JSON.stringify([
    message.sendTime,
    message.msgtype,
    message.publicKeyVersion,
    message.sender.type,
    message.sender.id,
    message.receivers.map((r) => [r.type, r.id]),
    message.chatId ?? 0,
  ]);
  return Buffer.concat([
    Buffer.from(`${header}\n`, 'utf8'),
    Buffer.from(message.encryptedSecretKey, 'base64'),
  ]);
}

type Header = [number, number, number, number, string, [number, string][], string | 0];

export function unpackRecord(corpId: string, msgid: string, record: Buffer): ArchivedMessage {
  const newline = record.indexOf(0x0a);
  if (newline < 0) throw new Error(`message index record of ${msgid} is corrupt (no header)`);
  const [sendTime, msgtype, publicKeyVersion, senderType, senderId, receivers, chatId] = JSON.parse(
    record.subarray(0, newline).toString('utf8'),
  ) as Header;
  return {
    corpId,
    msgid,
    sendTime,
    msgtype,
    publicKeyVersion,
    sender: { type: senderType, id: senderId },
    receivers: receivers.map(([type, id]) => ({ type, id })),
    chatId: chatId === 0 ? null : chatId,
    encryptedSecretKey: record.subarray(newline + 1).toString('base64'),
  };
}
