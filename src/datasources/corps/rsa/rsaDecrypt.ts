import { constants, type KeyObject, privateDecrypt } from 'node:crypto';

export type RsaPadding = 'pkcs1' | 'oaep';

/**
 * The opt-in native path (`WECOM_RSA_DECRYPT=native`) for a message's `encrypted_secret_key`.
 * Node 20 refuses RSA_PKCS1_PADDING for private decryption (CVE-2023-46809, the Marvin attack),
 * so PKCS#1 v1.5 is a native raw RSA operation plus the v1.5 unpadding below: ~0.8 ms per op on
 * a 2048-bit key against ~46 ms for node-forge. The default is node-forge (a maintained library)
 * in worker threads; this path is for very high display-key throughput. The ciphertexts come from
 * WeCom, not from clients, so there is no padding oracle to exploit; the unpadding still runs
 * without early exits.
 */
export function rsaDecrypt(key: KeyObject, ciphertext: Buffer, padding: RsaPadding): Buffer {
  if (padding === 'oaep')
    return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING }, ciphertext);
  return unpadPkcs1v15(privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext));
}

/** EM = 0x00 ‖ 0x02 ‖ PS (≥ 8 non-zero bytes) ‖ 0x00 ‖ M  (RFC 8017 §7.2.2). */
export function unpadPkcs1v15(em: Buffer): Buffer {
  let bad = (em[0] ?? 1) | ((em[1] ?? 0) ^ 2);
  let separator = 0;
  for (let i = 2; i < em.length; i++) {
    const isZero = em[i] === 0 ? 1 : 0;
    // Remember the first zero only.
    separator = separator === 0 && isZero === 1 ? i : separator;
  }
  if (separator < 10) bad |= 1;
  if (bad !== 0) throw new Error('PKCS#1 v1.5 padding check failed');
  return em.subarray(separator + 1);
}
