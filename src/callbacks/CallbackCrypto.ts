import { timingSafeEqual } from 'node:crypto';
import { decrypt, getSignature } from '@wecom/crypto';
import { CallbackError, shown } from './CallbackError.js';

export type CallbackCryptoOptions = {
  /** Callback Token (signature key). */
  token: string;
  /** 43-character EncodingAESKey. */
  encodingAesKey: string;
  /**
   * The receiveids accepted inside a ciphertext: the suite id (指令回调 events) and the
   * provider's own corpid (WeCom's GET URL verification uses it, and some events carry it,
   * docs/upstream.md §8.1). Anything else is refused.
   */
  receiveIds: readonly string[];
  /** Reject a timestamp further than this from now, seconds. */
  maxSkewS: number;
  /** Clock in unix ms. Default Date.now. */
  now?: () => number;
};

/** The signed query parameters plus the signed ciphertext (`echostr` on GET, `Encrypt` on POST). */
export type SignedCiphertext = { msgSignature: string; timestamp: string; nonce: string; ciphertext: string };

export type Opened = { plaintext: string; receiveId: string; timestamp: number };

const SIGNATURE = /^[0-9a-f]{40}$/;
const TIMESTAMP = /^[0-9]{1,12}$/;
const NONCE = /^[0-9A-Za-z_-]{1,128}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const AES_KEY = /^[A-Za-z0-9]{43}$/;

/**
 * WXBizMsgCrypt verify + decrypt over @wecom/crypto, with the checks that library leaves out:
 * constant-time signature compare, timestamp skew, ciphertext shape and the receiveid.
 * Order matters: nothing is decrypted before the signature and the timestamp are accepted.
 */
export class CallbackCrypto {
  readonly #options: Required<CallbackCryptoOptions>;

  constructor(options: CallbackCryptoOptions) {
    if (!AES_KEY.test(options.encodingAesKey)) {
      throw new RangeError('encodingAesKey must be 43 characters of [a-zA-Z0-9]');
    }
    if (!(options.maxSkewS > 0)) throw new RangeError(`maxSkewS must be > 0, got ${options.maxSkewS}`);
    if (options.receiveIds.length === 0 || options.receiveIds.some((id) => id === '')) {
      throw new RangeError('receiveIds must hold at least one non-empty id');
    }
    this.#options = { now: Date.now, ...options };
  }

  /** URL verification: the decrypted `echostr`, to be answered verbatim. */
  verifyUrl(signed: SignedCiphertext): string {
    return this.open(signed).plaintext;
  }

  /** Verifies and decrypts one signed ciphertext; throws a CallbackError on any mismatch. */
  open(signed: SignedCiphertext): Opened {
    const timestamp = checkQuery(signed);
    const expected = getSignature(this.#options.token, signed.timestamp, signed.nonce, signed.ciphertext);
    if (!constantTimeEqual(expected, signed.msgSignature)) {
      throw new CallbackError(
        'BAD_SIGNATURE',
        'msg_signature must be sha1 of sorted token, timestamp, nonce, ciphertext',
      );
    }
    const nowS = Math.floor(this.#options.now() / 1000);
    if (Math.abs(nowS - timestamp) > this.#options.maxSkewS) {
      throw new CallbackError(
        'STALE_TIMESTAMP',
        `timestamp must be within ${this.#options.maxSkewS} s of now (${nowS}), got ${timestamp}`,
      );
    }
    const { message, id } = this.#decrypt(signed.ciphertext);
    // Checked with the same constant-time compare: a forged padding shows up here as a wrong id.
    if (!this.#options.receiveIds.some((accepted) => constantTimeEqual(accepted, id))) {
      throw new CallbackError(
        'BAD_CIPHERTEXT',
        `receiveid must be the configured suite id or provider corpid, got ${shown(id, 40)}`,
      );
    }
    return { plaintext: message, receiveId: id, timestamp };
  }

  #decrypt(ciphertext: string): { message: string; id: string } {
    const bytes = BASE64.test(ciphertext) ? Buffer.from(ciphertext, 'base64').length : -1;
    // WeCom pads the plaintext to a multiple of 32 bytes (PKCS#7 with block 32), and a plaintext
    // always holds at least the 16 random bytes and the 4-byte length.
    if (bytes < 32 || bytes % 32 !== 0) {
      throw new CallbackError(
        'BAD_CIPHERTEXT',
        `ciphertext must be base64 of a positive multiple of 32 bytes, got ${bytes < 0 ? 'non-base64 text' : `${bytes} bytes`}`,
      );
    }
    try {
      const { message, id } = decrypt(this.#options.encodingAesKey, ciphertext);
      return { message, id };
    } catch {
      throw new CallbackError('BAD_CIPHERTEXT', 'ciphertext does not decrypt to WeCom plaintext layout');
    }
  }
}

function checkQuery(signed: SignedCiphertext): number {
  if (!SIGNATURE.test(signed.msgSignature)) {
    throw new CallbackError(
      'BAD_CALLBACK_REQUEST',
      `msg_signature must be 40 lowercase hex characters, got ${shown(signed.msgSignature)}`,
    );
  }
  if (!TIMESTAMP.test(signed.timestamp)) {
    throw new CallbackError(
      'BAD_CALLBACK_REQUEST',
      `timestamp must be unix seconds (1..12 digits), got ${shown(signed.timestamp)}`,
    );
  }
  if (!NONCE.test(signed.nonce)) {
    throw new CallbackError(
      'BAD_CALLBACK_REQUEST',
      `nonce must be 1..128 of [0-9A-Za-z_-], got ${shown(signed.nonce)}`,
    );
  }
  if (signed.ciphertext.length === 0) {
    throw new CallbackError('BAD_CALLBACK_REQUEST', 'the ciphertext (echostr or Encrypt) must not be empty');
  }
  return Number(signed.timestamp);
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // Lengths are not secret (a signature is always 40 hex chars); only the content compare must not leak.
  return left.length === right.length && timingSafeEqual(left, right);
}
