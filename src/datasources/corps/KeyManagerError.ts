export type KeyManagerErrorCode =
  | 'KEY_NOT_FOUND'
  | 'DECRYPT_FAILED'
  | 'KEY_ROTATION_BUSY'
  | 'KEY_VERSION_EXHAUSTED'
  | 'INVALID_ARGUMENT';

/** Expected failures of the per-corp RSA key store. Messages never include key material. */
export class KeyManagerError extends Error {
  override name = 'KeyManagerError';
  constructor(
    readonly code: KeyManagerErrorCode,
    message: string,
  ) {
    super(message);
  }
}
