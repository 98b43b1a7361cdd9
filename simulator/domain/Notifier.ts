import type { CorpRuntime } from './CorpRuntime.js';
import type { SimClock } from './SimClock.js';
import { newSecret, type SimApp } from './SuiteAuth.js';

/** A callback field: text, or one group of text fields (`<ChatArchiveApi><Edition>`). */
export type CallbackField = string | number | { readonly [child: string]: string | number };

/** The part of CallbackEmitter the simulator's domain needs. */
export type CallbackSink = {
  send(infoType: string, fields: Record<string, CallbackField>, app?: SimApp): Promise<unknown>;
};

/**
 * Sends callbacks and batches conversation_new_message / hit_keyword per corp: one event per
 * corp per batch interval, each with a fresh 10-minute token.
 */
export class Notifier {
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly sink: CallbackSink,
    private readonly clock: SimClock,
    private readonly tokenTtlS: number,
    private readonly corps: () => Iterable<CorpRuntime>,
  ) {}

  startBatching(batchMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const corp of this.corps()) this.flush(corp);
    }, batchMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Fire and forget: the emitter records the outcome for /__sim/stats. */
  send(infoType: string, fields: Record<string, CallbackField>, app: SimApp = 'archive'): void {
    const p = this.sink.send(infoType, fields, app).catch(() => undefined);
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  issueToken(tokens: Map<string, number>): string {
    const token = newSecret(32);
    tokens.set(token, this.clock.nowMs() + this.tokenTtlS * 1000);
    return token;
  }

  /** Sends what is pending for the corp now; returns the tokens it issued. */
  flush(corp: CorpRuntime): { token?: string; hitToken?: string } {
    const out: { token?: string; hitToken?: string } = {};
    if (corp.pendingNew && corp.authorized) {
      out.token = this.issueToken(corp.syncTokens);
      this.send('conversation_new_message', { AuthCorpId: corp.corpId, Token: out.token });
    }
    if (corp.pendingHit && corp.authorized) {
      out.hitToken = this.issueToken(corp.hitTokens);
      this.send('hit_keyword', { AuthCorpId: corp.corpId, Token: out.hitToken });
    }
    corp.pendingNew = false;
    corp.pendingHit = false;
    return out;
  }

  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}
