import { createHash, timingSafeEqual } from 'node:crypto';
import type { ClientConfig } from '../config/config.js';

type Entry = { client: ClientConfig; hash: Buffer };

/** Distinct Authorization values whose verdict is remembered; past it the oldest is forgotten. */
export const AUTH_CACHE_SIZE = 1000;
/** Longer values are checked every time, so the cache holds at most about 0.5 MB of header text. */
const MAX_CACHED_LENGTH = 512;

/**
 * Builds the API-key check. Keys are compared as SHA-256 digests in constant time, and every
 * client is compared (no early exit) so timing does not reveal which prefix matched.
 *
 * The verdict (client or null) is remembered per Authorization value in a bounded map, since
 * every operation authenticates once or twice (context, admin checks) with the same header: a
 * repeated value costs one map lookup instead of a digest and a comparison with every client.
 * The clients are fixed for the life of the authenticator, so a remembered verdict never goes stale.
 */
export function createAuthenticator(
  clients: readonly ClientConfig[],
  cacheSize = AUTH_CACHE_SIZE,
): Authenticate & { remembered(): number } {
  const entries: Entry[] = clients.map((client) => ({ client, hash: storedHash(client.key) }));
  const verdicts = new Map<string, ClientConfig | null>();
  const check = (key: string): ClientConfig | null => {
    const presented = sha256(key);
    let found: ClientConfig | null = null;
    for (const entry of entries) {
      if (timingSafeEqual(entry.hash, presented) && found === null) found = entry.client;
    }
    return found;
  };
  const authenticate = (authorization: string | null | undefined): ClientConfig | null => {
    if (typeof authorization !== 'string') return null;
    const known = verdicts.get(authorization);
    if (known !== undefined) return known;
    const key = bearerKey(authorization);
    const verdict = key === null ? null : check(key);
    if (cacheSize > 0 && authorization.length <= MAX_CACHED_LENGTH) {
      // Oldest first (insertion order): a flood of distinct wrong keys only costs re-hashing.
      if (verdicts.size >= cacheSize) verdicts.delete(verdicts.keys().next().value as string);
      verdicts.set(authorization, verdict);
    }
    return verdict;
  };
  /** How many verdicts are remembered now (tests, diagnostics). */
  authenticate.remembered = (): number => verdicts.size;
  return authenticate;
}

/** Authorization value (HTTP header or graphql-ws connectionParams) → the client, or null. */
export type Authenticate = (authorization: string | null | undefined) => ClientConfig | null;

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
