import { createHash, timingSafeEqual } from 'node:crypto';
import type { ClientConfig } from '../config.js';

type Entry = { client: ClientConfig; hash: Buffer };

/**
 * Builds the API-key check. Keys are compared as SHA-256 digests in constant time, and every
 * client is compared (no early exit) so timing does not reveal which prefix matched.
 */
export function createAuthenticator(clients: readonly ClientConfig[]) {
  const entries: Entry[] = clients.map((client) => ({ client, hash: storedHash(client.key) }));
  return function authenticate(authorization: string | null | undefined): ClientConfig | null {
    const key = bearerKey(authorization);
    if (key === null) return null;
    const presented = sha256(key);
    let found: ClientConfig | null = null;
    for (const entry of entries) {
      if (timingSafeEqual(entry.hash, presented) && found === null) found = entry.client;
    }
    return found;
  };
}

export type Authenticate = ReturnType<typeof createAuthenticator>;

/** Accepts `Bearer <key>` (case-insensitive scheme); a bare key is accepted over graphql-ws. */
export function bearerKey(authorization: string | null | undefined): string | null {
  if (typeof authorization !== 'string') return null;
  const trimmed = authorization.trim();
  const match = /^bearer\s+(.+)$/i.exec(trimmed);
  const key = match ? match[1]!.trim() : trimmed;
  return key.length > 0 ? key : null;
}

function storedHash(key: string): Buffer {
  if (key.startsWith('sha256:')) {
    const hex = key.slice('sha256:'.length);
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error('client key sha256:<hex> must have 64 hex digits');
    return Buffer.from(hex, 'hex');
  }
  return sha256(key);
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
