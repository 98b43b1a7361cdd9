import { randomBytes } from 'node:crypto';
import type { ArchivedMessage } from '../../src/datasources/store/ports.js';

/**
 * A factory of archived messages for one test file: unique msgids under `prefix`, send times
 * one second apart from an hour ago, a random key (what sync_msg hands the archive).
 */
export function archivedMessages(
  prefix: string,
  defaultCorpId: string,
): (corpId?: string) => ArchivedMessage {
  const t0 = Math.floor(Date.now() / 1000) - 3600;
  let n = 0;
  return (corpId = defaultCorpId) => {
    n++;
    return {
      corpId,
      msgid: `${prefix}-${n}-${randomBytes(3).toString('hex')}`,
      sender: { type: 1, id: 'woAlice' },
      receivers: [{ type: 2, id: 'wmBob' }],
      chatId: null,
      sendTime: t0 + n,
      msgtype: 1,
      encryptedSecretKey: randomBytes(32).toString('base64'),
      publicKeyVersion: 1,
    };
  };
}
