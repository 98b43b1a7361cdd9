import { createHash } from 'node:crypto';
import type { KeyValueStore } from '../store/ports.js';
import type { WecomApi } from '../wecom/ports.js';
import { isOutcomeUnknown } from '../wecom/upstreamCallKinds.js';
import type { PermanentCodeResponse } from '../wecom/upstreamSchemas.js';
import { WecomError } from '../wecom/WecomError.js';

/** 40078: invalid auth_code — unknown, expired, or already used (single use). */
export const AUTH_CODE_INVALID = 40078;
/** How long what happened to an auth code is remembered: well past its 10-minute validity. */
const MEMORY_MS = 24 * 3_600_000;
/** How long a lost authorization is remembered (see `LostAuthorizationError`). */
export const LOST_MEMORY_MS = 7 * 24 * 3_600_000;

export type Redeemed =
  | { kind: 'granted'; granted: PermanentCodeResponse }
  /** This gateway redeemed the code before (a redelivered event): nothing to exchange. */
  | { kind: 'already'; corpId: string };

/**
 * The upstream took a single-use auth code but its answer (the corp id and permanent code)
 * never reached the store: lost on the way back, or the gateway stopped between the answer and
 * storing it. The corp is authorized upstream and this gateway cannot call for it. Only
 * `reset_permanent_code` (triggered in the provider console or by the corp) repairs it.
 */
export class LostAuthorizationError extends WecomError {
  constructor(path: string, ref: string) {
    super(
      `${path}: the auth code was used but its answer never reached the store (ref ${ref}); the corp is ` +
        'authorized upstream without a permanent code here. Trigger reset_permanent_code for it (provider ' +
        'console); the gateway onboards it from that event',
      {
        code: 'AUTHORIZATION_LOST',
        path,
        errcode: AUTH_CODE_INVALID,
        httpStatus: 200,
        retryable: false,
        hint: null,
      },
    );
    this.name = 'LostAuthorizationError';
  }
}

export type RedeemDeps = {
  api: Pick<WecomApi, 'getPermanentCode'>;
  /** Remembers codes sent and not settled, codes whose answer was lost, and codes redeemed. */
  kv: KeyValueStore;
  /** The app the code is for (`archive`, `display`): codes are remembered per app. */
  app: string;
  /**
   * The corp whose stored record came from the code of this `ref` (authCodeRef), or null. The
   * store of record is where a redemption is known for sure: the KV marker may be missing.
   */
  findRedeemed(ref: string): Promise<string | null>;
  /** Told when an exchange's outcome is unknown, and when an authorization is lost. */
  observe?: (kind: 'outcome_unknown' | 'authorization_lost') => void;
};

/** Stores the corp of a granted code, `ref` with it; resolves once it is durable. */
export type SaveGrant = (granted: PermanentCodeResponse, ref: string) => Promise<void>;

/** What identifies an auth code once it is spent (a digest; the code itself is never kept). */
export function authCodeRef(code: string): string {
  return createHash('sha256').update(code).digest('hex').slice(0, 32);
}

/** The marker of a code sent upstream whose answer has not been stored (yet). */
const SENT = 'sent';
/** The marker of a code whose answer was lost (timeout, dropped connection). */
const UNKNOWN = 'unknown';

/**
 * `get_permanent_code` with a single-use auth code, reconciled instead of retried blindly. A
 * marker is written before the call (`sent`), the corp is saved with the answer, and only then
 * is the code marked done, so every crash window leaves something to read:
 *  - answer lost (timeout, dropped connection) → `unknown`, then asked once more with the same
 *    code, which is safe: the upstream either redeems it now (the first call never took effect)
 *    or answers 40078 (it did, and the answer is gone → LostAuthorizationError);
 *  - 40078 for a code this gateway redeemed and stored (a create_auth WeCom delivered again,
 *    also when the process stopped between storing the corp and marking the code done) →
 *    `already`, so the event is finished instead of failing;
 *  - 40078 for a code sent before whose answer was never stored (lost, or the process stopped
 *    between the answer and the save) → LostAuthorizationError, counted, never silent;
 *  - 40078 for a code never sent from here → that answer (expired or foreign code);
 *  - any other answer is the caller's, and takes back this call's marker (WeCom refused it, or
 *    it never left: the code was not used); a transient one keeps the event for a retry.
 */
export async function redeemAuthCode(deps: RedeemDeps, authCode: string, save: SaveGrant): Promise<Redeemed> {
  const ref = authCodeRef(authCode);
  const key = `authcode:${deps.app}:${ref}`;
  const afterInvalid = async (error: WecomError, marker: string | null): Promise<Redeemed> => {
    if (marker?.startsWith('done:')) return { kind: 'already', corpId: marker.slice('done:'.length) };
    const stored = await deps.findRedeemed(ref);
    if (stored !== null) return { kind: 'already', corpId: stored };
    if (marker !== SENT && marker !== UNKNOWN) throw error;
    await deps.kv.set(`authcode:lost:${ref}`, `${deps.app} ${Date.now()}`, LOST_MEMORY_MS);
    deps.observe?.('authorization_lost');
    throw new LostAuthorizationError(error.path, ref.slice(0, 12));
  };
  const once = async (): Promise<Redeemed> => {
    const marker = await deps.kv.get(key);
    if (marker === null) await deps.kv.set(key, SENT, MEMORY_MS);
    let granted: PermanentCodeResponse;
    try {
      granted = await deps.api.getPermanentCode(authCode);
    } catch (error) {
      const invalid = error instanceof WecomError && error.errcode === AUTH_CODE_INVALID;
      if (isOutcomeUnknown(error)) await deps.kv.set(key, UNKNOWN, MEMORY_MS);
      // A refusal, or a call that never left: the code was not used by this call.
      else if (marker === null) await deps.kv.delete(key);
      // What counts is what was known before this call: a code sent by no one before is refused
      // as expired or foreign, not lost.
      if (invalid) return afterInvalid(error, marker);
      throw error;
    }
    // Saved first, marked done after: a stop between the two leaves the corp stored with `ref`.
    await save(granted, ref);
    await deps.kv.set(key, `done:${granted.auth_corp_info.corpid}`, MEMORY_MS);
    return { kind: 'granted', granted };
  };
  try {
    return await once();
  } catch (error) {
    if (!isOutcomeUnknown(error)) throw error;
    deps.observe?.('outcome_unknown');
  }
  return once();
}

/** Whether some authorization was lost recently (see LostAuthorizationError). */
export async function hasLostAuthorizations(kv: KeyValueStore): Promise<boolean> {
  return (await kv.keys('authcode:lost:')).length > 0;
}
