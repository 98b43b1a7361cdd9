import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption of secrets at rest (permanent codes, private keys) under
 * GATEWAY_MASTER_KEY. Format `v1:<iv>:<tag>:<ciphertext>` (base64) so the scheme can change
 * later without guessing. `context` is bound as AAD: a sealed value copied to another corp's
 * or purpose's slot does not open.
 */
export type SecretBox = {
  seal(plaintext: string, context?: string): string;
  open(sealed: string, context?: string): string;
};

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
  readonly code = 'SECRET_BOX';
}

/** Fixed, public salt/info: they separate this use of the master key from any other. */
const SALT = 'wecom-archive-gateway/secretBox';
const INFO = 'v1 aes-256-gcm';

export function createSecretBox(masterKey: string): SecretBox {
  if (masterKey.length < 16) {
    throw new SecretBoxError(`master key must be at least 16 characters, got ${masterKey.length}`);
  }
  const key = Buffer.from(hkdfSync('sha256', masterKey, SALT, INFO, 32));

  return {
    seal(plaintext, context = '') {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return `v1:${iv.toString('base64')}:${tag.toString('base64')}:${ct.toString('base64')}`;
    },
    open(sealed, context = '') {
      const parts = sealed.split(':');
      if (parts.length !== 4 || parts[0] !== 'v1') {
        throw new SecretBoxError(`sealed value must look like v1:<iv>:<tag>:<ct>, got ${parts.length} parts`);
      }
      const [, ivB64, tagB64, ctB64] = parts as [string, string, string, string];
      const iv = Buffer.from(ivB64, 'base64');
      const tag = Buffer.from(tagB64, 'base64');
      if (iv.length !== 12 || tag.length !== 16) {
        throw new SecretBoxError('sealed value has a malformed iv or tag');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(Buffer.from(ctB64, 'base64')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        // Never echo the ciphertext or key: only that authentication failed.
        throw new SecretBoxError(
          'sealed value failed authentication (tampered, wrong master key or wrong context)',
        );
      }
    },
  };
}
