/** What the rest of the gateway asks of corp onboarding and key management. */
import type { CorpRecord, EventFailure } from '../store/ports.js';

export type PublicKeyInfo = { version: number; publicKeyPem: string; createdAt: number };

/** Per-corp RSA-2048 key pairs; every historical private key is kept (encrypted at rest). */
export interface KeyManager {
  /** Generates a pair with version current+1 and calls `set_public_key`; stores it only on success. */
  rotate(corpId: string): Promise<PublicKeyInfo>;
  /**
   * The corp's current key, setting its first one only if it has none once its pending keys are
   * settled (a redelivered create_auth after a crash must not set a second key).
   */
  ensureKey(corpId: string): Promise<PublicKeyInfo>;
  current(corpId: string): Promise<PublicKeyInfo | null>;
  /** RSA-decrypts a message's `encrypted_secret_key` with the private key of `version`. */
  decryptSecretKey(corpId: string, version: number, encryptedSecretKeyB64: string): Promise<string>;
  /** Deletes every key of the corp (cancel_auth). */
  purge(corpId: string): Promise<void>;
  /** Settles keys left pending by a crash or a lost answer (start-up, watchdog); returns how many became active. */
  repairPending(): Promise<number>;
}

/** What the callback receiver calls for authorization events (implemented by the corp onboarding). */
export interface AuthEvents {
  /** auth code → permanent code → corp stored → first public key set upstream. */
  createAuth(authCode: string): Promise<CorpRecord>;
  changeAuth(corpId: string): Promise<void>;
  /**
   * Only once the upstream confirms the authorization is gone (the corp token is refused):
   * forgets the corp and purges what the gateway archived for it. Resolves with the record as
   * cancelled, or null when there was nothing to cancel or the upstream did not confirm.
   */
  cancelAuth(corpId: string): Promise<CorpRecord | null>;
  /**
   * The watchdog's re-check of cancels the upstream did not confirm: those it confirms now are
   * applied (resolved with their records as cancelled), those past the window dropped.
   */
  recheckCancels(): Promise<CorpRecord[]>;
  /** reset_permanent_code: the auth code is exchanged and the new permanent code stored. */
  resetPermanentCode(authCode: string): Promise<CorpRecord>;
  /** advanced_api_expired / trial_expired: edition and expiry kept on the corp. */
  archiveExpired(
    corpId: string,
    expiry: { kind: 'TRIAL' | 'PAID'; edition: number | null; at: number },
  ): Promise<void>;
  /** A callback event of the corp failed for good: visible on `Corp`. */
  recordEventFailure(corpId: string, failure: EventFailure): Promise<void>;
  /**
   * An event named a corp the registry does not know: when an authorization's answer was lost
   * recently, lists it as needing reset_permanent_code and resolves true.
   */
  markIfOrphan(corpId: string): Promise<boolean>;
}
