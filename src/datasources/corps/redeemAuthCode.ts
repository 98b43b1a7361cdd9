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
 * was lost: the corp is authorized upstream and this gateway cannot call for it. Only
 * `reset_permanent_code` (triggered in the provider console or by the corp) repairs it.
 */
export class LostAuthorizationError extends WecomError {
  constructor(path: string, ref: string) {
    super(
      `${path}: the auth code was used but its answer was lost (ref ${ref}); the corp is authorized ` +
        'upstream without a permanent code here. Trigger reset_permanent_code for it (provider console); ' +
        'the gateway onboards it from that event',
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
  /** Remembers codes whose exchange had an unknown outcome, and codes already redeemed. */
  kv: KeyValueStore;
  /** The app the code is for (`archive`, `display`): codes are remembered per app. */
  app: string;
  /** Told when an exchange's outcome is unknown, and when an authorization is lost. */
  observe?: (kind: 'outcome_unknown' | 'authorization_lost') => void;
};

const digest = (code: string): string => createHash('sha256').update(code).digest('hex').slice(0, 32);

/**
 * `get_permanent_code` with a single-use auth code, reconciled instead of retried blindly:
 *  - answer lost (timeout, dropped connection) → remembered, then asked once more with the
 *    same code, which is safe: the upstream either redeems it now (the first call never took
 *    effect) or answers 40078 (it did, and the answer is gone → LostAuthorizationError);
 *  - 40078 for a code this gateway redeemed before (a create_auth WeCom delivered again) →
 *    `already`, so the event is finished instead of failing;
 *  - 40078 for a code whose earlier outcome was unknown (crash between the two calls, or the
 *    second call's answer lost too and the event redelivered) → LostAuthorizationError;
 *  - any other answer is the caller's (a transient one keeps the event for a retry).
 */
export async function redeemAuthCode(deps: RedeemDeps, authCode: string): Promise<Redeemed> {
  const key = `authcode:${deps.app}:${digest(authCode)}`;
  const exchange = async (): Promise<Redeemed> => {
    const granted = await deps.api.getPermanentCode(authCode);
    await deps.kv.set(key, `done:${granted.auth_corp_info.corpid}`, MEMORY_MS);
    return { kind: 'granted', granted };
  };
  const afterInvalid = async (error: WecomError): Promise<Redeemed> => {
    const before = await deps.kv.get(key);
    if (before?.startsWith('done:')) return { kind: 'already', corpId: before.slice('done:'.length) };
    if (before !== 'unknown') throw error;
    await deps.kv.set(`authcode:lost:${digest(authCode)}`, `${deps.app} ${Date.now()}`, LOST_MEMORY_MS);
    deps.observe?.('authorization_lost');
    throw new LostAuthorizationError(error.path, digest(authCode).slice(0, 12));
  };
  try {
    return await exchange();
  } catch (error) {
    if (error instanceof WecomError && error.errcode === AUTH_CODE_INVALID) return afterInvalid(error);
    if (!isOutcomeUnknown(error)) throw error;
    await deps.kv.set(key, 'unknown', MEMORY_MS);
    deps.observe?.('outcome_unknown');
  }
  try {
    return await exchange();
  } catch (error) {
    if (error instanceof WecomError && error.errcode === AUTH_CODE_INVALID) return afterInvalid(error);
    throw error;
  }
}

/** Whether some authorization was lost recently (see LostAuthorizationError). */
export async function hasLostAuthorizations(kv: KeyValueStore): Promise<boolean> {
  return (await kv.keys('authcode:lost:')).length > 0;
}
