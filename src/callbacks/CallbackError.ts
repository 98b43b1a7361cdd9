/**
 * An expected callback failure: a stable code for the response body and logs, and the HTTP status
 * that tells WeCom whether retrying can help (4xx: never, the request itself is bad; 5xx: yes).
 */
export type CallbackErrorCode =
  | 'BAD_CALLBACK_REQUEST'
  | 'BAD_SIGNATURE'
  | 'STALE_TIMESTAMP'
  | 'BAD_CIPHERTEXT'
  | 'BAD_EVENT'
  | 'REPLAY'
  | 'BODY_TOO_LARGE'
  | 'METHOD_NOT_ALLOWED'
  | 'DISPATCH_FAILED'
  | 'CALLBACK_UNAVAILABLE';

const STATUS: Record<CallbackErrorCode, number> = {
  BAD_CALLBACK_REQUEST: 400,
  BAD_SIGNATURE: 401,
  STALE_TIMESTAMP: 401,
  BAD_CIPHERTEXT: 400,
  BAD_EVENT: 400,
  REPLAY: 409,
  BODY_TOO_LARGE: 413,
  METHOD_NOT_ALLOWED: 405,
  DISPATCH_FAILED: 503,
  CALLBACK_UNAVAILABLE: 503,
};

export class CallbackError extends Error {
  override name = 'CallbackError';
  readonly status: number;

  constructor(
    readonly code: CallbackErrorCode,
    message: string,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

/** Shows an untrusted value in an error message without letting it flood logs or responses. */
export function shown(value: unknown, max = 48): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}
