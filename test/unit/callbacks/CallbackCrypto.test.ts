import { encrypt, getSignature } from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import { CallbackCrypto, type SignedCiphertext } from '../../../src/callbacks/CallbackCrypto.js';
import { CallbackError } from '../../../src/callbacks/CallbackError.js';
import vectors from '../../fixtures/wecom-callback-vectors.json' with { type: 'json' };

const { config, urlVerification, postedMessage } = vectors;

/** The vectors are from 2014: the clock is set to the posted message's own time. */
const vectorCrypto = () =>
  new CallbackCrypto({
    token: config.token,
    encodingAesKey: config.encodingAesKey,
    receiveIds: [config.receiveId],
    maxSkewS: 300,
    now: () => Number(postedMessage.timestamp) * 1000,
  });

const postedSigned = (): SignedCiphertext => ({
  msgSignature: postedMessage.msg_signature,
  timestamp: postedMessage.timestamp,
  nonce: postedMessage.nonce,
  ciphertext: postedMessage.encrypt,
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof CallbackError) return error.code;
    throw error;
  }
  throw new Error('expected a CallbackError, nothing was thrown');
}

/** Signs an arbitrary ciphertext with the vector token at the vector time (a validly signed forgery). */
function signedWithVectorToken(ciphertext: string): SignedCiphertext {
  const { timestamp, nonce } = postedMessage;
  return {
    msgSignature: getSignature(config.token, timestamp, nonce, ciphertext),
    timestamp,
    nonce,
    ciphertext,
  };
}

describe('CallbackCrypto against the official test vectors', () => {
  it('answers the URL verification with the expected plaintext', () => {
    const reply = vectorCrypto().verifyUrl({
      msgSignature: urlVerification.msg_signature,
      timestamp: urlVerification.timestamp,
      nonce: urlVerification.nonce,
      ciphertext: urlVerification.echostr,
    });
    expect(reply).toBe(urlVerification.expectedReply);
  });

  it('decrypts the posted message to the expected XML and receiveid', () => {
    const opened = vectorCrypto().open(postedSigned());
    expect(opened.plaintext).toBe(postedMessage.expectedPlaintextXml);
    expect(opened.receiveId).toBe(postedMessage.expectedReceiveId);
    expect(opened.timestamp).toBe(Number(postedMessage.timestamp));
  });
});

describe('CallbackCrypto rejections', () => {
  it('rejects a signature that does not match (one hex digit changed)', () => {
    const signed = postedSigned();
    const flipped = signed.msgSignature.slice(0, -1) + (signed.msgSignature.endsWith('0') ? '1' : '0');
    expect(codeOf(() => vectorCrypto().open({ ...signed, msgSignature: flipped }))).toBe('BAD_SIGNATURE');
  });

  it('rejects a valid signature over a different nonce', () => {
    expect(codeOf(() => vectorCrypto().open({ ...postedSigned(), nonce: '1372623150' }))).toBe(
      'BAD_SIGNATURE',
    );
  });

  it('rejects a tampered ciphertext under the original signature', () => {
    const signed = postedSigned();
    const tampered = (signed.ciphertext.startsWith('A') ? 'B' : 'A') + signed.ciphertext.slice(1);
    expect(codeOf(() => vectorCrypto().open({ ...signed, ciphertext: tampered }))).toBe('BAD_SIGNATURE');
  });

  it('rejects a tampered ciphertext even when re-signed with the right token', () => {
    const bytes = Buffer.from(postedMessage.encrypt, 'base64');
    bytes[bytes.length - 20]! ^= 0xff; // corrupts the last block: padding and receiveid
    const tampered = bytes.toString('base64');
    expect(codeOf(() => vectorCrypto().open(signedWithVectorToken(tampered)))).toBe('BAD_CIPHERTEXT');
  });

  it('rejects ciphertext that is not base64 of whole 32-byte blocks', () => {
    expect(codeOf(() => vectorCrypto().open(signedWithVectorToken('not*base64')))).toBe('BAD_CIPHERTEXT');
    const short = Buffer.alloc(48).toString('base64');
    expect(codeOf(() => vectorCrypto().open(signedWithVectorToken(short)))).toBe('BAD_CIPHERTEXT');
  });

  it('rejects a message encrypted for another receiveid', () => {
    const foreign = encrypt(config.encodingAesKey, '<xml></xml>', 'wwanother-suite');
    const error = (() => {
      try {
        vectorCrypto().open(signedWithVectorToken(foreign));
      } catch (e) {
        return e as CallbackError;
      }
      throw new Error('expected a rejection');
    })();
    expect(error.code).toBe('BAD_CIPHERTEXT');
    expect(error.message).toContain(
      'receiveid must be the configured suite id or provider corpid, got "wwanother-suite"',
    );
  });

  it('accepts every configured receiveid: the suite id and the provider corpid (URL verification)', () => {
    const both = new CallbackCrypto({
      token: config.token,
      encodingAesKey: config.encodingAesKey,
      receiveIds: ['wwsuite-archive', config.receiveId],
      maxSkewS: 300,
      now: () => Number(postedMessage.timestamp) * 1000,
    });
    expect(both.open(postedSigned()).receiveId).toBe(config.receiveId);
    const forSuite = encrypt(config.encodingAesKey, '<xml></xml>', 'wwsuite-archive');
    expect(both.open(signedWithVectorToken(forSuite)).receiveId).toBe('wwsuite-archive');
  });

  it('rejects a timestamp outside the skew window, in either direction', () => {
    const at = (nowS: number) =>
      new CallbackCrypto({
        token: config.token,
        encodingAesKey: config.encodingAesKey,
        receiveIds: [config.receiveId],
        maxSkewS: 300,
        now: () => nowS * 1000,
      });
    const ts = Number(postedMessage.timestamp);
    expect(at(ts + 300).open(postedSigned()).receiveId).toBe(config.receiveId);
    expect(codeOf(() => at(ts + 301).open(postedSigned()))).toBe('STALE_TIMESTAMP');
    expect(codeOf(() => at(ts - 301).open(postedSigned()))).toBe('STALE_TIMESTAMP');
    const withReceiveIds = { ...config, receiveIds: [config.receiveId] };
    expect(codeOf(() => new CallbackCrypto({ ...withReceiveIds, maxSkewS: 300 }).open(postedSigned()))).toBe(
      'STALE_TIMESTAMP',
    );
  });

  it('rejects malformed query values before any crypto, restating the contract', () => {
    const crypto = vectorCrypto();
    expect(() => crypto.open({ ...postedSigned(), msgSignature: 'XYZ' })).toThrow(
      'msg_signature must be 40 lowercase hex characters, got "XYZ"',
    );
    expect(() => crypto.open({ ...postedSigned(), timestamp: '-5' })).toThrow(
      'timestamp must be unix seconds (1..12 digits), got "-5"',
    );
    expect(codeOf(() => crypto.open({ ...postedSigned(), nonce: 'a b' }))).toBe('BAD_CALLBACK_REQUEST');
  });

  it('refuses to be built with a malformed AES key', () => {
    const options = { ...config, receiveIds: [config.receiveId], encodingAesKey: 'short', maxSkewS: 300 };
    expect(() => new CallbackCrypto(options)).toThrow('encodingAesKey must be 43 characters');
  });
});
