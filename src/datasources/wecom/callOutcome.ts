import type { CallOutcome } from './CircuitBreaker.js';
import type { WecomError } from './WecomError.js';

/** Retryable failures count against the circuit; 45009 opens its window; any other answer shows the upstream alive. */
export function outcomeOf(error: WecomError): CallOutcome {
  if (error.errcode === 45009) return 'rate-limited';
  return error.retryable ? 'failure' : 'ok';
}

/** The `result` label of the upstream-call metric for a failed attempt. */
export function resultLabel(error: WecomError): string {
  if (error.errcode !== null) return String(error.errcode);
  if (error.httpStatus !== null && error.httpStatus !== 200) return `http_${error.httpStatus}`;
  return error.code.toLowerCase();
}
