import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { KeyManagerError } from './KeyManagerError.js';
import type { Logger } from './Logger.js';
import { LruCache } from './LruCache.js';
import type { CorpRegistry, KeyManager, KeyValueStore, PublicKeyInfo, WecomApi } from './ports.js';
import { nativeRsaDecrypt, type RsaDecryptFn } from './rsa/createRsaDecrypt.js';
import { RsaDecryptError } from './rsa/RsaDecryptError.js';
import type { RsaPadding } from './rsa/rsaDecrypt.js';
import { runExclusive } from './runExclusive.js';
import type { SecretBox } from './secretBox.js';
import { WecomError } from './WecomError.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export type KvKeyManagerOptions = {
  kv: KeyValueStore;
  box: SecretBox;
  api: Pick<WecomApi, 'chatdata'>;
  corps: CorpRegistry;
  rsaPadding: RsaPadding;
  /**
   * RSA decryption of `encrypted_secret_key` (createRsaDecrypt: node-forge workers or native).
   * Default: native on this thread, because a pool has a lifecycle this class does not own;
   * createDatasources passes the configured strategy.
   */
  decrypt?: RsaDecryptFn;
  logger: Logger;
  /** Unsealed private-key PEMs kept in memory (saves a KV read and unsealing per call). Default 256. */
  parsedKeyCacheSize?: number;
  /** Decrypted secret keys kept in memory. Default 10 000. */
  resultCacheSize?: number;
  /** Lifetime of the per-corp rotation lock, ms. Default 60 000. */
  rotateLockTtlMs?: number;
};

type StoredKey = {
  version: number;
  publicKeyPem: string;
  sealedPrivateKey: string;
  createdAt: number;
  /** `pending` until set_public_key succeeded; kept if the outcome is unknown (timeout). */
  state: 'pending' | 'active';
};

const versionKey = (corpId: string, version: number): string => `keys:${corpId}:v:${version}`;
const currentKey = (corpId: string): string => `keys:${corpId}:current`;
/** Highest version ever sent upstream. Survives purge: WeCom rejects a version that is not greater. */
const highWaterKey = (corpId: string): string => `keyver:${corpId}`;
const privateContext = (corpId: string, version: number): string => `private_key:${corpId}:${version}`;

export class KvKeyManager implements KeyManager {
  readonly #o: KvKeyManagerOptions;
  readonly #decrypt: RsaDecryptFn;
  readonly #pems: LruCache<string, string>;
  readonly #results: LruCache<string, string>;
  readonly #inflight = new Map<string, Promise<string>>();
  readonly #rotating = new Map<string, Promise<PublicKeyInfo>>();

  constructor(options: KvKeyManagerOptions) {
    this.#o = options;
    this.#decrypt = options.decrypt ?? nativeRsaDecrypt();
    this.#pems = new LruCache(options.parsedKeyCacheSize ?? 256);
    this.#results = new LruCache(options.resultCacheSize ?? 10_000);
  }

  rotate(corpId: string): Promise<PublicKeyInfo> {
    // Same-process callers queue behind each other; other replicas queue on the KV lock.
    const previous = this.#rotating.get(corpId) ?? Promise.resolve(null);
    const next = previous.catch(() => null).then(() => this.#rotateExclusive(corpId));
    this.#rotating.set(corpId, next);
    return next.finally(() => {
      if (this.#rotating.get(corpId) === next) this.#rotating.delete(corpId);
    });
  }

  async current(corpId: string): Promise<PublicKeyInfo | null> {
    const version = await this.#o.kv.get(currentKey(corpId));
    if (version === null) return null;
    const stored = await this.#load(corpId, Number(version));
    return (
      stored && { version: stored.version, publicKeyPem: stored.publicKeyPem, createdAt: stored.createdAt }
    );
  }

  async decryptSecretKey(corpId: string, version: number, encryptedSecretKeyB64: string): Promise<string> {
    if (!Number.isInteger(version) || version < 1) {
      throw new KeyManagerError('INVALID_ARGUMENT', `public_key_ver must be an integer >= 1, got ${version}`);
    }
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encryptedSecretKeyB64)) {
      throw new KeyManagerError('INVALID_ARGUMENT', 'encrypted_secret_key must be non-empty base64');
    }
    const cacheKey = `${corpId}\u0000${version}\u0000${encryptedSecretKeyB64}`;
    const cached = this.#results.get(cacheKey);
    if (cached !== undefined) return cached;
    // Concurrent asks for one message share one decrypt (~46 ms of a forge worker each).
    const running = this.#inflight.get(cacheKey);
    if (running) return running;
    const next = this.#decryptUncached(corpId, version, encryptedSecretKeyB64).finally(() =>
      this.#inflight.delete(cacheKey),
    );
    this.#inflight.set(cacheKey, next);
    const plain = await next;
    this.#results.set(cacheKey, plain);
    return plain;
  }

  async #decryptUncached(corpId: string, version: number, encryptedSecretKeyB64: string): Promise<string> {
    const pem = await this.#privateKeyPem(corpId, version);
    try {
      const ciphertext = Buffer.from(encryptedSecretKeyB64, 'base64');
      return (await this.#decrypt(pem, ciphertext, this.#o.rsaPadding)).toString('utf8');
    } catch (error) {
      // Pool trouble (queue full, closed, worker crash) is not a bad ciphertext: keep its own code.
      if (!(error instanceof RsaDecryptError) || error.code !== 'DECRYPT_FAILED') throw error;
      throw new KeyManagerError(
        'DECRYPT_FAILED',
        `encrypted_secret_key does not decrypt with corp ${corpId} key version ${version} (${this.#o.rsaPadding} padding)`,
      );
    }
  }

  async purge(corpId: string): Promise<void> {
    const keys = await this.#o.kv.keys(`keys:${corpId}:`);
    if (keys.length > 0) await this.#o.kv.delete(...keys);
    const mine = (k: string): boolean => k.startsWith(`${corpId}\u0000`);
    this.#pems.deleteWhere(mine);
    this.#results.deleteWhere(mine);
  }

  #rotateExclusive(corpId: string): Promise<PublicKeyInfo> {
    const lockTtlMs = this.#o.rotateLockTtlMs ?? 60_000;
    return runExclusive(this.#o.kv, {
      lockKey: `lock:keys:${corpId}`,
      lockTtlMs,
      waitMs: lockTtlMs + 5000,
      run: () => this.#rotateLocked(corpId),
      onTimeout: () =>
        new KeyManagerError('KEY_ROTATION_BUSY', `key rotation for corp ${corpId} is stuck elsewhere`),
    });
  }

  async #rotateLocked(corpId: string): Promise<PublicKeyInfo> {
    const { kv, box, api, corps, logger } = this.#o;
    const [high, current] = await Promise.all([kv.get(highWaterKey(corpId)), kv.get(currentKey(corpId))]);
    const version = Math.max(Number(high ?? 0), Number(current ?? 0)) + 1;
    const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const stored: StoredKey = {
      version,
      publicKeyPem: publicKey,
      sealedPrivateKey: box.seal(privateKey, privateContext(corpId, version)),
      createdAt: Date.now(),
      state: 'pending',
    };
    // Reserve the version and persist the private key BEFORE telling WeCom: if we crashed after
    // set_public_key succeeded, messages encrypted under it would otherwise be unreadable forever.
    await kv.set(highWaterKey(corpId), String(version));
    await kv.set(versionKey(corpId, version), JSON.stringify(stored));
    try {
      await api.chatdata(corpId, 'set_public_key', { public_key: publicKey, public_key_ver: version });
    } catch (error) {
      // A definite rejection means the key is unused; an unknown outcome (timeout) keeps it.
      if (error instanceof WecomError && error.errcode !== null) await kv.delete(versionKey(corpId, version));
      else logger.warn({ corpId, version }, 'set_public_key outcome unknown; keeping the pending key');
      throw error;
    }
    await kv.set(
      versionKey(corpId, version),
      JSON.stringify({ ...stored, state: 'active' } satisfies StoredKey),
    );
    await kv.set(currentKey(corpId), String(version));
    const record = await corps.get(corpId);
    if (record) await corps.upsert({ ...record, publicKeyVersion: version });
    // The first key is part of onboarding ('corp authorized' is its info line); a rotation is news.
    logger[version > 1 ? 'info' : 'debug']({ corpId, version }, 'public key set upstream');
    return { version, publicKeyPem: publicKey, createdAt: stored.createdAt };
  }

  async #load(corpId: string, version: number): Promise<StoredKey | null> {
    const raw = await this.#o.kv.get(versionKey(corpId, version));
    return raw === null ? null : (JSON.parse(raw) as StoredKey);
  }

  async #privateKeyPem(corpId: string, version: number): Promise<string> {
    const cacheKey = `${corpId}\u0000${version}`;
    const cached = this.#pems.get(cacheKey);
    if (cached) return cached;
    const stored = await this.#load(corpId, version);
    if (!stored) {
      throw new KeyManagerError('KEY_NOT_FOUND', `corp ${corpId} has no private key of version ${version}`);
    }
    const pem = this.#o.box.open(stored.sealedPrivateKey, privateContext(corpId, version));
    this.#pems.set(cacheKey, pem);
    return pem;
  }
}
