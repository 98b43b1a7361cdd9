// Over 250 lines on purpose: one class whose rotate, repair and decrypt paths share the key
// cache and the per-corp lock; apart, each half would need the other's private state.
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import type { Logger } from '../../logging/Logger.js';
import { runExclusive } from '../coordination/runExclusive.js';
import { LruCache } from '../store/LruCache.js';
import type { CorpRegistry, KeyStore, KeyValueStore, StoredKey } from '../store/ports.js';
import type { SecretBox } from '../store/secretBox.js';
import type { WecomApi } from '../wecom/ports.js';
import { KeyManagerError } from './KeyManagerError.js';
import type { KeyManager, PublicKeyInfo } from './ports.js';
import { nativeRsaDecrypt, type RsaDecryptFn } from './rsa/createRsaDecrypt.js';
import { RsaDecryptError } from './rsa/RsaDecryptError.js';
import type { RsaPadding } from './rsa/rsaDecrypt.js';
import { setPublicKeyOutcome } from './setPublicKeyOutcome.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Versions tried after "not greater" on a fresh version: v+1, v+2, v+4, … (the upstream kept a newer one). */
const MAX_VERSION_BUMPS = 12;

export type RsaKeyManagerOptions = {
  store: KeyStore;
  /** Coordination (the per-corp rotation lock across replicas). */
  kv: KeyValueStore;
  box: SecretBox;
  api: Pick<WecomApi, 'chatdata'>;
  corps: CorpRegistry;
  rsaPadding: RsaPadding;
  /**
   * RSA decryption of `encrypted_secret_key` (createRsaDecrypt: node-forge workers or native).
   * Default: native on this thread; createDatasources passes the configured strategy.
   */
  decrypt?: RsaDecryptFn;
  logger: Logger;
  /** Unsealed private-key PEMs kept in memory. Default 256. */
  parsedKeyCacheSize?: number;
  /** Decrypted secret keys kept in memory. Default 10 000. */
  resultCacheSize?: number;
  /**
   * Lifetime of the per-corp rotation lock, ms, renewed at a third of it while a rotation or
   * repair runs. Default 15 000: a process killed while holding it (during a slow
   * set_public_key, say) delays the next start's repair by at most that much.
   */
  rotateLockTtlMs?: number;
};

const privateContext = (corpId: string, version: number): string => `private_key:${corpId}:${version}`;

/**
 * Per-corp RSA-2048 key pairs. A new pair is stored (pending, sealed) BEFORE set_public_key is
 * sent, so a crash or a lost answer never leaves the upstream encrypting under a key we lack; a
 * pending key is made active once the upstream is known to have it (at once, or by `repair`) and
 * deleted only after a definite refusal. Every version stays until the corp's cancel is confirmed.
 */
export class RsaKeyManager implements KeyManager {
  readonly #o: RsaKeyManagerOptions;
  readonly #decrypt: RsaDecryptFn;
  readonly #pems: LruCache<string, string>;
  readonly #results: LruCache<string, string>;
  readonly #inflight = new Map<string, Promise<string>>();
  readonly #rotating = new Map<string, Promise<PublicKeyInfo>>();

  constructor(options: RsaKeyManagerOptions) {
    this.#o = options;
    this.#decrypt = options.decrypt ?? nativeRsaDecrypt();
    this.#pems = new LruCache(options.parsedKeyCacheSize ?? 256);
    this.#results = new LruCache(options.resultCacheSize ?? 10_000);
  }

  rotate(corpId: string): Promise<PublicKeyInfo> {
    return this.#serial(corpId, () => this.#rotateLocked(corpId));
  }

  ensureKey(corpId: string): Promise<PublicKeyInfo> {
    return this.#serial(corpId, async () => {
      // A key a crash left pending, which the upstream has, is the corp's key: no second one.
      await this.#repairLocked(corpId);
      return (await this.current(corpId)) ?? this.#rotateLocked(corpId, true);
    });
  }

  /** Same-process callers queue behind each other; other replicas queue on the KV lock. */
  #serial(corpId: string, run: () => Promise<PublicKeyInfo>): Promise<PublicKeyInfo> {
    const previous = this.#rotating.get(corpId) ?? Promise.resolve(null);
    const next = previous.catch(() => null).then(() => this.#exclusive(corpId, run));
    this.#rotating.set(corpId, next);
    return next.finally(() => {
      if (this.#rotating.get(corpId) === next) this.#rotating.delete(corpId);
    });
  }

  async current(corpId: string): Promise<PublicKeyInfo | null> {
    const version = await this.#o.store.currentVersion(corpId);
    if (version === null) return null;
    const stored = await this.#o.store.load(corpId, version);
    return (
      stored && { version: stored.version, publicKeyPem: stored.publicKeyPem, createdAt: stored.createdAt }
    );
  }

  /**
   * Settles every pending key of every corp (start-up and watchdog): asks the upstream whether
   * it has each one and activates it when it does. Returns the number of keys activated.
   */
  async repairPending(): Promise<number> {
    let activated = 0;
    for (const corpId of await this.#o.store.corpsWithPending()) {
      try {
        activated += await this.#exclusive(corpId, () => this.#repairLocked(corpId));
      } catch (error) {
        this.#o.logger.warn({ corpId, err: (error as Error).message }, 'pending key not settled yet');
      }
    }
    return activated;
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

  async purge(corpId: string): Promise<void> {
    await this.#o.store.purge(corpId);
    const mine = (k: string): boolean => k.startsWith(`${corpId}\u0000`);
    this.#pems.deleteWhere(mine);
    this.#results.deleteWhere(mine);
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

  #exclusive<T>(corpId: string, run: () => Promise<T>): Promise<T> {
    const lockTtlMs = this.#o.rotateLockTtlMs ?? 15_000;
    return runExclusive(this.#o.kv, {
      lockKey: `lock:keys:${corpId}`,
      lockTtlMs,
      renewMs: Math.floor(lockTtlMs / 3),
      // A living holder renews the lock for as long as it works (slow upstream calls included):
      // wait for it up to a minute, as long as the lock lasted before it was renewed.
      waitMs: Math.max(60_000, lockTtlMs + 5000),
      run,
      onTimeout: () =>
        new KeyManagerError('KEY_ROTATION_BUSY', `key rotation for corp ${corpId} is stuck elsewhere`),
    });
  }

  async #rotateLocked(corpId: string, repaired = false): Promise<PublicKeyInfo> {
    const { store, logger } = this.#o;
    // Settle what an earlier crash or lost answer left, so the new version is above it.
    if (!repaired) await this.#repairLocked(corpId);
    let version = (await store.maxVersion(corpId)) + 1;
    for (let bump = 0; bump <= MAX_VERSION_BUMPS; bump++) {
      const key = await this.#generate(corpId, version);
      if (!(await store.insertPending(corpId, key))) {
        version = (await store.maxVersion(corpId)) + 1;
        continue;
      }
      const outcome = await setPublicKeyOutcome(() => this.#send(corpId, key));
      if (outcome.kind === 'applied') {
        await this.#activate(corpId, key.version);
        logger.debug({ corpId, version }, 'public key set upstream');
        return { version, publicKeyPem: key.publicKeyPem, createdAt: key.createdAt };
      }
      if (outcome.kind === 'unknown') {
        logger.warn(
          { corpId, version },
          'set_public_key outcome unknown; the pending key is kept and settled later',
        );
        throw outcome.error;
      }
      // A definite refusal: this key was never in use upstream.
      await store.deletePending(corpId, key.version);
      if (outcome.kind === 'refused') throw outcome.error;
      logger.warn({ corpId, version }, 'the upstream holds a newer public key version; trying a higher one');
      version += 2 ** bump;
    }
    throw new KeyManagerError(
      'KEY_VERSION_EXHAUSTED',
      `set_public_key refused every version up to ${version} for corp ${corpId} as not greater`,
    );
  }

  /** Pending keys, newest first: applied upstream → active; no answer → stay pending. */
  async #repairLocked(corpId: string): Promise<number> {
    let activated = 0;
    for (const key of await this.#o.store.pending(corpId)) {
      const outcome = await setPublicKeyOutcome(() => this.#send(corpId, key), true);
      if (outcome.kind === 'applied') {
        await this.#activate(corpId, key.version);
        activated++;
        this.#o.logger.info({ corpId, version: key.version }, 'pending public key confirmed upstream');
      } else {
        // Keep it whatever was said: the first, unanswered call may have set it.
        this.#o.logger.warn(
          { corpId, version: key.version, outcome: outcome.kind },
          'pending public key not confirmed',
        );
      }
    }
    return activated;
  }

  async #activate(corpId: string, version: number): Promise<void> {
    await this.#o.store.activate(corpId, version);
    const current = await this.#o.store.currentVersion(corpId);
    const record = await this.#o.corps.get(corpId);
    if (record && current !== null && record.publicKeyVersion !== current) {
      await this.#o.corps.upsert({ ...record, publicKeyVersion: current });
    }
  }

  #send(corpId: string, key: StoredKey): Promise<unknown> {
    return this.#o.api.chatdata(corpId, 'set_public_key', {
      public_key: key.publicKeyPem,
      public_key_ver: key.version,
    });
  }

  async #generate(corpId: string, version: number): Promise<StoredKey> {
    const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    return {
      version,
      publicKeyPem: publicKey,
      sealedPrivateKey: this.#o.box.seal(privateKey, privateContext(corpId, version)),
      createdAt: Date.now(),
      state: 'pending',
    };
  }

  async #privateKeyPem(corpId: string, version: number): Promise<string> {
    const cacheKey = `${corpId}\u0000${version}`;
    const cached = this.#pems.get(cacheKey);
    if (cached) return cached;
    const stored = await this.#o.store.load(corpId, version);
    if (!stored) {
      throw new KeyManagerError('KEY_NOT_FOUND', `corp ${corpId} has no private key of version ${version}`);
    }
    const pem = this.#o.box.open(stored.sealedPrivateKey, privateContext(corpId, version));
    this.#pems.set(cacheKey, pem);
    return pem;
  }
}
