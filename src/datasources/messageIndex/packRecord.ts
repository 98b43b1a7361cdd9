import type { ArchivedMessage } from '../ports.js';
import { msgidCodec } from './msgidCodec.js';
import { varint } from './varint.js';

/** Who and where, interned once per corp: `[senderType, senderId, [[type, id]…], chatId | null]`. */
type Parties = [number, string, [number, string][], string | null];

export type PackedRecord = {
  /** The packed msgid (see `msgidCodec`): what the msgid map hashes and the scripts compare. */
  msgid: Buffer;
  /**
   * Sender, receivers and chat as JSON. Stored once per corp in a dictionary and referenced from
   * each record: the ids repeat across messages, and a group's receiver list is its member list.
   */
  parties: string;
  /**
   * The record bytes after the two varints the append script writes (send time relative to the
   * record bucket, parties reference): the packed msgid, zigzag(msgtype), then
   * zigzag(publicKeyVersion)·2 + rawKey, then the secret-key ciphertext — as raw bytes (256 for
   * RSA-2048) when it is canonical base64 (`rawKey` 1), otherwise as its UTF-8 text.
   */
  payload: Buffer;
};

export function packRecord(message: ArchivedMessage): PackedRecord {
  const msgid = msgidCodec.pack(message.msgid);
  const parties: Parties = [
    message.sender.type,
    message.sender.id,
    message.receivers.map((r) => [r.type, r.id]),
    message.chatId ?? null,
  ];
  const key = message.encryptedSecretKey;
  const raw = Buffer.from(key, 'base64');
  const rawKey = raw.toString('base64') === key;
  const head: number[] = [];
  varint.push(head, varint.zigzag(message.msgtype));
  varint.push(head, varint.zigzag(message.publicKeyVersion) * 2 + (rawKey ? 1 : 0));
  return {
    msgid,
    parties: JSON.stringify(parties),
    payload: Buffer.concat([msgid, Buffer.from(head), rawKey ? raw : Buffer.from(key, 'utf8')]),
  };
}

/** The inverse of `packRecord`, given what the scripts return for a record. */
export function unpackRecord(
  corpId: string,
  sendTime: number,
  parties: string,
  payload: Buffer,
): ArchivedMessage {
  const [msgid, afterId] = msgidCodec.unpack(payload, 0);
  const [msgtype, afterType] = varint.read(payload, afterId);
  const [keyInfo, keyStart] = varint.read(payload, afterType);
  const [senderType, senderId, receivers, chatId] = JSON.parse(parties) as Parties;
  const key = payload.subarray(keyStart);
  return {
    corpId,
    msgid,
    sendTime,
    msgtype: varint.unzigzag(msgtype),
    publicKeyVersion: varint.unzigzag(Math.floor(keyInfo / 2)),
    sender: { type: senderType, id: senderId },
    receivers: receivers.map(([type, id]) => ({ type, id })),
    chatId,
    encryptedSecretKey: keyInfo % 2 === 1 ? key.toString('base64') : key.toString('utf8'),
  };
}
