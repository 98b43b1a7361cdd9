export type RsaDecryptErrorCode = 'DECRYPT_FAILED' | 'QUEUE_FULL' | 'POOL_CLOSED' | 'WORKER_CRASHED';

/** Expected failures of secret-key decryption. Messages never include key material or plaintext. */
export class RsaDecryptError extends Error {
  override name = 'RsaDecryptError';
  constructor(
    readonly code: RsaDecryptErrorCode,
    message: string,
  ) {
    super(message);
  }
}
