import { createHash, randomUUID } from 'node:crypto';
import type { KeyValueStore } from '../datasources/store/ports.js';

/**
 * Replay protection and idempotent acks for signed callback deliveries, keyed by
 * (msg_signature, nonce) in the shared KeyValueStore so every replica sees the same state.
 *
 * The problem: WeCom retries an un-acked delivery by re-sending the SAME signed request, and a
 * captured request replayed by someone else looks exactly the same. The two cannot be told apart,
 * so the rule is built to make both harmless:
 *
 *  - fresh        → claim it ("pending", short TTL) and handle it.
 *  - pending      → 409 REPLAY: the same delivery is being handled right now (a concurrent
 *                   duplicate, or WeCom retrying a slow handler). Nothing runs twice; if the first
 *                   handling fails, it releases the claim and the next retry handles it.
 *  - done         → "success" again without handling: this is WeCom retrying after our ack was
 *                   lost (or a replay); either way a repeated ack changes nothing, while an error
 *                   would make WeCom keep retrying a delivery that has already been processed.
 *
 * The claim becomes "done" only AFTER the dispatch resolved, and is deleted when it failed, so a
 * failure never turns WeCom's retries into rejected replays. "done" lives until the request's
 * timestamp falls out of the skew window; after that the skew check rejects the request anyway.
 */
export type DeliveryState =
  | { kind: 'claimed'; release(): Promise<void>; complete(): Promise<void> }
  | { kind: 'pending' }
  | { kind: 'done' };

/** How long an unfinished claim blocks duplicates, ms. Bounds the damage of a crash mid-handling. */
export const PENDING_CLAIM_TTL_MS = 30_000;
const DONE = 'done';

export class DeliveryGuard {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly maxSkewS: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Short, non-secret reference of a delivery, for logs. */
  static ref(msgSignature: string, nonce: string): string {
    return createHash('sha256').update(`${msgSignature}\n${nonce}`).digest('hex').slice(0, 16);
  }

  async claim(msgSignature: string, nonce: string, timestampS: number): Promise<DeliveryState> {
    const key = `callback:delivery:${createHash('sha256').update(`${msgSignature}\n${nonce}`).digest('hex')}`;
    const doneTtlMs = Math.max(1000, (timestampS + this.maxSkewS) * 1000 - this.now() + 1000);
    const pending = `pending:${randomUUID()}`;
    // Two rounds: the key may expire between a failed setIfAbsent and the get.
    for (let round = 0; round < 2; round++) {
      if (await this.kv.setIfAbsent(key, pending, Math.min(PENDING_CLAIM_TTL_MS, doneTtlMs))) {
        return {
          kind: 'claimed',
          release: async () => {
            await this.kv.deleteIfEquals(key, pending);
          },
          complete: () => this.kv.set(key, DONE, doneTtlMs),
        };
      }
      const current = await this.kv.get(key);
      if (current === DONE) return { kind: 'done' };
      if (current !== null) return { kind: 'pending' };
    }
    return { kind: 'pending' };
  }
}
