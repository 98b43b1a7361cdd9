import { WecomError } from './WecomError.js';

type Window = { startMs: number; count: number; blockedUntilMs: number };

/**
 * Per corp per API call budgets over fixed windows. Going over blocks the key for a whole window
 * (a minute block lasts 60 s, an hour block 60 min), measured on the simulator clock.
 */
export class FrequencyLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly now: () => number) {}

  hit(key: string, limit: number, windowMs: number, label: string): void {
    const now = this.now();
    let w = this.windows.get(`${key}|${windowMs}`);
    if (!w || now - w.startMs >= windowMs) {
      w = { startMs: now, count: 0, blockedUntilMs: w?.blockedUntilMs ?? 0 };
      this.windows.set(`${key}|${windowMs}`, w);
    }
    if (now < w.blockedUntilMs) {
      throw new WecomError(
        45009,
        `api freq out of limit: ${label} blocked for ${Math.ceil((w.blockedUntilMs - now) / 1000)}s`,
      );
    }
    w.count += 1;
    if (w.count > limit) {
      w.blockedUntilMs = now + windowMs;
      throw new WecomError(
        45009,
        `api freq out of limit: more than ${limit} calls per ${windowMs / 1000}s (${label})`,
      );
    }
  }

  reset(): void {
    this.windows.clear();
  }
}

/** In-flight calls per corp per API; one over the threshold gets 45033. */
export class ConcurrencyLimiter {
  private readonly inFlight = new Map<string, number>();

  acquire(key: string, limit: number): () => void {
    const n = this.inFlight.get(key) ?? 0;
    if (n >= limit)
      throw new WecomError(45033, `api concurrent out of limit: more than ${limit} concurrent calls`);
    this.inFlight.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(key);
      else this.inFlight.set(key, left);
    };
  }
}
