import { describe, expect, it } from 'vitest';
import { messageWire } from '../../../simulator/api/messageWire.js';
import type { ArchivedMessage as SimMessage } from '../../../simulator/domain/types.js';
import { classifySyncRecord } from '../../../src/ingest/classifySyncRecord.js';

const good = {
  msgid: '1234567890_1712540000123_external',
  sender: { type: 2, id: 'wmCUSTOMER01' },
  receiver_list: [{ type: 1, id: 'woSTAFF01' }],
  send_time: 1712540000,
  msgtype: 1,
  service_encrypt_info: { encrypted_secret_key: 'QUJD', public_key_ver: 2 },
  brand_new_field: true,
};

function quarantined(raw: unknown) {
  const result = classifySyncRecord('wwcorp', raw);
  if (result.kind !== 'quarantine')
    throw new Error(`expected a quarantine entry, got ${JSON.stringify(result)}`);
  return result.entry;
}

describe('classifySyncRecord', () => {
  it('archives a record of the documented shape, field by field', () => {
    const result = classifySyncRecord('wwcorp', good);
    expect(result).toEqual({
      kind: 'message',
      message: {
        corpId: 'wwcorp',
        msgid: good.msgid,
        sender: { type: 2, id: 'wmCUSTOMER01' },
        receivers: [{ type: 1, id: 'woSTAFF01' }],
        chatId: null,
        sendTime: 1712540000,
        msgtype: 1,
        encryptedSecretKey: 'QUJD',
        publicKeyVersion: 2,
      },
    });
    expect(classifySyncRecord('wwcorp', { ...good, chatid: 'wrGROUP' })).toMatchObject({
      message: { chatId: 'wrGROUP' },
    });
  });

  it.each([
    ['missing service_encrypt_info', { ...good, service_encrypt_info: undefined }, 'service_encrypt_info'],
    [
      'an unknown msgtype',
      { ...good, msgtype: 9999 },
      'msgtype must be a documented msgtype 0..28, got 9999',
    ],
    ['send_time of another type', { ...good, send_time: '1712540000' }, 'send_time'],
    ['sender.type of another type', { ...good, sender: { type: '2', id: 'wm' } }, 'sender.type'],
    [
      'an empty encrypted key',
      { ...good, service_encrypt_info: { encrypted_secret_key: '', public_key_ver: 2 } },
      'service_encrypt_info.encrypted_secret_key',
    ],
  ])('keeps a record with %s aside, with its msgid, raw JSON and the reason', (_, raw, reason) => {
    const entry = quarantined(raw);
    expect(entry.msgid).toBe(good.msgid);
    expect(JSON.parse(entry.raw)).toEqual(JSON.parse(JSON.stringify(raw)));
    expect(entry.reason).toContain(reason);
    expect(entry.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  // docs/upstream.md §3.1: 0..28 are documented (24..28 may be new over HTTP, still accepted);
  // anything else is an unknown msgtype, kept aside.
  it.each([0, 24, 28])('archives documented msgtype %i', (msgtype) => {
    expect(classifySyncRecord('wwcorp', { ...good, msgtype })).toMatchObject({
      kind: 'message',
      message: { msgtype },
    });
  });

  it.each([29, -1, 1.5])('keeps unknown msgtype %s aside, saying so', (msgtype) => {
    const entry = quarantined({ ...good, msgtype });
    expect(entry.msgid).toBe(good.msgid);
    expect(entry.reason).toContain('msgtype');
    expect(JSON.parse(entry.raw).msgtype).toBe(msgtype);
  });

  it('names no value of the record in the reason (keys must not reach logs)', () => {
    const entry = quarantined({
      ...good,
      service_encrypt_info: { encrypted_secret_key: 7, public_key_ver: 2 },
    });
    expect(entry.reason).toContain('service_encrypt_info.encrypted_secret_key');
    expect(entry.reason).toContain('got number');
  });

  it('gives a record without a usable msgid msgid null, identified by the digest of its raw JSON', () => {
    const missing = quarantined({ ...good, msgid: undefined });
    const empty = quarantined({ ...good, msgid: '' });
    const numeric = quarantined({ ...good, msgid: 42 });
    expect([missing.msgid, empty.msgid, numeric.msgid]).toEqual([null, null, null]);
    expect(missing.reason).toContain('msgid');
    expect(quarantined({ ...good, msgid: undefined }).digest).toBe(missing.digest);
    expect(empty.digest).not.toBe(missing.digest);
    expect(quarantined(null)).toMatchObject({ msgid: null, raw: 'null' });
    expect(quarantined('text')).toMatchObject({ msgid: null, raw: '"text"' });
  });

  // Written apart, the simulator's malformed records and the gateway's rules must agree.
  it('quarantines every kind of malformed record the simulator makes, and archives its good ones', () => {
    const base: SimMessage = {
      msgid: 'm1',
      seq: 0,
      sendTime: 1712540000,
      secretKey: 's',
      encryptedSecretKey: 'QUJD',
      publicKeyVer: 1,
      sender: { type: 1, id: 'wo1' },
      receivers: [{ type: 2, id: 'wm1' }],
      chatId: null,
      msgtype: 1,
      content: {},
      searchText: '',
      recalled: false,
      welcome: false,
      qrCode: false,
    };
    expect(classifySyncRecord('c', messageWire(base)).kind).toBe('message');
    for (const malformed of ['no_encrypt_info', 'unknown_msgtype', 'wrong_type'] as const) {
      expect(classifySyncRecord('c', messageWire({ ...base, malformed })).kind).toBe('quarantine');
    }
  });
});
