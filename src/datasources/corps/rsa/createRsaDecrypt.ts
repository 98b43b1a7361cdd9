import { createPrivateKey, type KeyObject } from 'node:crypto';
import { LruCache } from '../../store/LruCache.js';
import { ForgeDecryptPool } from './ForgeDecryptPool.js';
import { RsaDecryptError } from './RsaDecryptError.js';
import { type RsaPadding, rsaDecrypt } from './rsaDecrypt.js';

/** Decrypts one `encrypted_secret_key`; rejects with RsaDecryptError (DECRYPT_FAILED on a bad block). */
export type RsaDecryptFn = (
  privateKeyPem: string,
  ciphertext: Buffer,
  padding: RsaPadding,
) => Promise<Buffer>;

export type RsaDecryptStrategy = { decrypt: RsaDecryptFn; close(): Promise<void> };

export type RsaDecryptKind = 'forge' | 'native';

/** `forge`: node-forge on a worker pool (the default). `native`: node:crypto on the caller's thread. */
export function createRsaDecrypt(
  kind: RsaDecryptKind,
  options: { workers?: number } = {},
): RsaDecryptStrategy {
  if (kind === 'native') return { decrypt: nativeRsaDecrypt(), close: async () => {} };
  const pool = new ForgeDecryptPool({ workers: options.workers });
  return {
    decrypt: (privateKeyPem, ciphertext, padding) => pool.decrypt({ privateKeyPem, ciphertext, padding }),
    close: () => pool.close(),
  };
}

/** node:crypto raw RSA + our v1.5 unpadding; parsed keys are cached since PEM parsing is per call otherwise. */
export function nativeRsaDecrypt(parsedKeyCacheSize = 256): RsaDecryptFn {
  const parsed = new LruCache<string, KeyObject>(parsedKeyCacheSize);
  return async (privateKeyPem, ciphertext, padding) => {
    let key = parsed.get(privateKeyPem);
    if (!key) {
      key = createPrivateKey(privateKeyPem);
      parsed.set(privateKeyPem, key);
    }
    try {
      return rsaDecrypt(key, ciphertext, padding);
    } catch (error) {
      throw new RsaDecryptError(
        'DECRYPT_FAILED',
        `RSA decrypt (${padding} padding) failed: ${(error as Error).message}`,
      );
    }
  };
}
