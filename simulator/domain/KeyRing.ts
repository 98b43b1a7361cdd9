import { constants, createPublicKey, type KeyObject, publicEncrypt } from 'node:crypto';
import { WecomError } from '../http/WecomError.js';
import type { RsaPadding } from '../simulatorOptions.js';

/** A corp's public keys: the current one encrypts every new per-message secret key. */
export class KeyRing {
  private current: { ver: number; key: KeyObject } | null = null;
  private readonly history: number[] = [];

  constructor(private readonly padding: RsaPadding) {}

  get version(): number | null {
    return this.current?.ver ?? null;
  }

  get versions(): readonly number[] {
    return this.history;
  }

  /** 40211 unless an RSA-2048 public key PEM; 40212 unless the version grows. Returns whether it was the first key. */
  set(pem: string, ver: number): boolean {
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch {
      throw new WecomError(40211, 'invalid public key: public_key must be an RSA-2048 public key in PEM');
    }
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (key.asymmetricKeyType !== 'rsa' || bits !== 2048) {
      throw new WecomError(
        40211,
        `invalid public key: must be RSA-2048, got ${key.asymmetricKeyType} ${bits ?? '?'} bits`,
      );
    }
    const last = this.history.at(-1);
    if (last !== undefined && ver <= last) {
      throw new WecomError(40212, `public_key_ver must be greater than ${last}, got ${ver}`);
    }
    const first = this.current === null;
    this.current = { ver, key };
    this.history.push(ver);
    return first;
  }

  /**
   * A cancelled authorization takes the key with it: nothing is archived until a new key is set.
   * Versions stay monotonic across it (a new key must still be greater), as the gateway assumes.
   */
  clear(): void {
    this.current = null;
  }

  encrypt(secret: string): { encryptedSecretKey: string; publicKeyVer: number } {
    if (!this.current) throw new Error('no public key set');
    const padding = this.padding === 'oaep' ? constants.RSA_PKCS1_OAEP_PADDING : constants.RSA_PKCS1_PADDING;
    const out = publicEncrypt({ key: this.current.key, padding }, Buffer.from(secret));
    return { encryptedSecretKey: out.toString('base64'), publicKeyVer: this.current.ver };
  }
}
