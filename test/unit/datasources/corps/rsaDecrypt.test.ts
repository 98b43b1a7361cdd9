import { constants, createPrivateKey, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { rsaDecrypt, unpadPkcs1v15 } from '../../../../src/datasources/corps/rsa/rsaDecrypt.js';

const pair = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const key = createPrivateKey(pair.privateKey);

describe('rsaDecrypt', () => {
  it('decrypts PKCS#1 v1.5 from node:crypto and from an independent implementation (node-forge)', () => {
    const viaNode = publicEncrypt(
      { key: pair.publicKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.from('k-1'),
    );
    expect(rsaDecrypt(key, viaNode, 'pkcs1').toString()).toBe('k-1');
    const forgeKey = forge.pki.publicKeyFromPem(pair.publicKey);
    const viaForge = Buffer.from(
      forgeKey.encrypt(forge.util.encodeUtf8('密钥-2'), 'RSAES-PKCS1-V1_5'),
      'binary',
    );
    expect(rsaDecrypt(key, viaForge, 'pkcs1').toString('utf8')).toBe('密钥-2');
  });

  it('decrypts OAEP', () => {
    const ct = publicEncrypt(
      { key: pair.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING },
      Buffer.from('o'),
    );
    expect(rsaDecrypt(key, ct, 'oaep').toString()).toBe('o');
  });

  it('rejects a ciphertext whose padding is not PKCS#1 v1.5', () => {
    const oaep = publicEncrypt(
      { key: pair.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING },
      Buffer.from('o'),
    );
    expect(() => rsaDecrypt(key, oaep, 'pkcs1')).toThrow('PKCS#1 v1.5 padding check failed');
  });

  it('checks every rule of the v1.5 block', () => {
    const ok = Buffer.from([0, 2, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0x41]);
    expect(unpadPkcs1v15(ok).toString()).toBe('A');
    expect(() => unpadPkcs1v15(Buffer.from([1, 2, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0x41]))).toThrow();
    expect(() => unpadPkcs1v15(Buffer.from([0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0x41]))).toThrow();
    // PS shorter than 8 bytes.
    expect(() => unpadPkcs1v15(Buffer.from([0, 2, 1, 2, 3, 0, 0x41]))).toThrow();
    // No separator at all.
    expect(() => unpadPkcs1v15(Buffer.from([0, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9]))).toThrow();
  });
});
