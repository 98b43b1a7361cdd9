import type { ExecutionResult } from 'graphql';
import { encodeResult } from './encodeResult.js';

/**
 * One event of a shared subscription (SubscriptionGroups) as every member of the group gets it:
 * the result, and its JSON encoded on first use and then reused, so N subscribers cost one
 * encoding plus N small frame copies.
 */
export class SharedResult {
  #json: Buffer | null = null;

  constructor(readonly result: ExecutionResult) {}

  get json(): Buffer {
    this.#json ??= encodeResult(this.result);
    return this.#json;
  }
}
