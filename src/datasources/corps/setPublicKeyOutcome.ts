import { WecomError } from '../wecom/WecomError.js';

/** WeCom's answer to set_public_key with a version that is not greater than the one it has. */
export const VERSION_NOT_GREATER = 40212;

export type SetPublicKeyOutcome =
  /** The upstream has this key (it said so, or it refused the same version again as not greater). */
  | { kind: 'applied' }
  /** A fresh version was refused as not greater: the upstream holds a newer version than we know. */
  | { kind: 'version-taken' }
  /** A definite refusal: the key is not in use upstream and may be deleted. */
  | { kind: 'refused'; error: WecomError }
  /** No answer either time (timeout, dropped connection, 5xx): the key may be in use; keep it. */
  | { kind: 'unknown'; error: unknown };

/**
 * Sets a key upstream without a blind retry. set_public_key changes state, so a timeout does not
 * say whether it took effect; the same call is then repeated once on purpose as the question
 * "do you have version v?": success or 40212 (same version not greater) both mean it is applied.
 * That reading holds because rotations of a corp are serialized (one lock across replicas), so
 * nobody else sets a version ≥ v meanwhile.
 *
 * `alreadySent`: the version may have reached the upstream before (the repair of a pending key),
 * so even the first 40212 means applied.
 */
export async function setPublicKeyOutcome(
  send: () => Promise<unknown>,
  alreadySent = false,
): Promise<SetPublicKeyOutcome> {
  const first = await attempt(send);
  if (first.kind === 'ok') return { kind: 'applied' };
  if (first.kind === 'notGreater') return alreadySent ? { kind: 'applied' } : { kind: 'version-taken' };
  if (first.kind === 'refused') return { kind: 'refused', error: first.error };
  const second = await attempt(send);
  if (second.kind === 'ok' || second.kind === 'notGreater') return { kind: 'applied' };
  // A definite refusal now (say 45009) says nothing about the first attempt: keep the key.
  return { kind: 'unknown', error: second.error };
}

type Attempt =
  | { kind: 'ok' }
  | { kind: 'notGreater' }
  | { kind: 'refused'; error: WecomError }
  | { kind: 'noAnswer'; error: unknown };

async function attempt(send: () => Promise<unknown>): Promise<Attempt> {
  try {
    await send();
    return { kind: 'ok' };
  } catch (error) {
    if (error instanceof WecomError && error.errcode === VERSION_NOT_GREATER) return { kind: 'notGreater' };
    // An envelope with an errcode is a definite answer; anything else (timeout, connection
    // closed, 5xx without envelope, an unreadable answer) leaves the outcome unknown.
    if (error instanceof WecomError && error.errcode !== null) return { kind: 'refused', error };
    return { kind: 'noAnswer', error };
  }
}
