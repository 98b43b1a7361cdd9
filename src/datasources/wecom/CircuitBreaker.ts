import { WecomError } from './WecomError.js';

export type CircuitBreakerOptions = {
  /** Consecutive retryable failures that open a circuit. */
  failures: number;
  /** Failure share in the window that opens a circuit, percent. */
  failureRatePercent: number;
  /** Calls in the window before the share counts. */
  minCalls: number;
  /** Failure-share window, ms. */
  windowMs: number;
  /** Open → one half-open probe after this long, ms. */
  cooldownMs: number;
  /** How long a 45009 blocks its (scope, path), ms from the hit. Default 60 000 (docs/upstream.md §8.8). */
  rateLimitBlockMs?: number;
  /** Most (scope, path) circuits kept; the oldest is forgotten beyond it. Default 10 000. */
  maxCircuits?: number;
  now?: () => number;
};

/** What a finished upstream call means for its circuit. */
export type CallOutcome = 'ok' | 'failure' | 'rate-limited';

/** A call refused before it left: the circuit is open, or WeCom's 45009 window has not passed. */
export class UpstreamBlockedError extends WecomError {
  readonly retryAfterSeconds: number;
  constructor(
    message: string,
    fields: { code: 'UPSTREAM_UNAVAILABLE' | 'RATE_LIMITED'; path: string; retryAfterMs: number },
  ) {
    super(message, {
      code: fields.code,
      path: fields.path,
      errcode: null,
      httpStatus: null,
      // A breaker opens on retryable failures and will close again; a 45009 block will not
      // lift sooner by retrying, matching the upstream 45009 itself.
      retryable: fields.code === 'UPSTREAM_UNAVAILABLE',
      hint: null,
    });
    this.retryAfterSeconds = Math.max(1, Math.ceil(fields.retryAfterMs / 1000));
  }
}

type Circuit = {
  state: 'closed' | 'open' | 'half-open';
  consecutive: number;
  /** Finished calls in the window: time and whether it failed. */
  recent: { at: number; failed: boolean }[];
  openUntil: number;
  /** 45009: calls fail fast until then. */
  blockedUntil: number;
};

const MINUTE_MS = 60_000;

/**
 * One circuit per (scope, API path), scope being a corp id or `suite`. A circuit opens after
 * `failures` consecutive retryable failures or `failureRatePercent` of at least `minCalls`
 * calls in `windowMs`; while open, calls fail fast with UPSTREAM_UNAVAILABLE; after
 * `cooldownMs` one probe goes through, and its outcome closes or reopens the circuit.
 *
 * 45009 is WeCom's frequency limit: its block lasts 60 s from the hit (docs/upstream.md §8.8), so calls
 * to that (scope, path) fail fast with RATE_LIMITED for 60 s from each 45009, never longer. A
 * second 45009 right after the block is not escalated to an hour: guessing an hour-level limit
 * once froze a corp's sync for 28 minutes and every onboarding with it (issue 11). If WeCom's
 * hour limit is what was hit, the cost of finding out is one call per minute.
 */
export class CircuitBreaker {
  readonly #o: CircuitBreakerOptions;
  readonly #now: () => number;
  readonly #circuits = new Map<string, Circuit>();

  constructor(options: CircuitBreakerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Throws an UpstreamBlockedError when the call must not leave now. */
  check(scope: string, path: string): void {
    const circuit = this.#circuits.get(key(scope, path));
    if (!circuit) return;
    const now = this.#now();
    if (circuit.blockedUntil > now) {
      throw new UpstreamBlockedError(
        `${path} for ${scope} is rate limited by WeCom (errcode 45009): calls fail fast until ` +
          `${new Date(circuit.blockedUntil).toISOString()}`,
        { code: 'RATE_LIMITED', path, retryAfterMs: circuit.blockedUntil - now },
      );
    }
    if (circuit.state === 'closed') return;
    if (circuit.state === 'open' && now >= circuit.openUntil) {
      circuit.state = 'half-open';
      return; // this call is the probe
    }
    const until = circuit.state === 'open' ? circuit.openUntil : now + this.#o.cooldownMs;
    throw new UpstreamBlockedError(
      `${path} for ${scope} is unavailable (circuit open after repeated failures): calls fail fast; ` +
        `the next attempt goes through at ${new Date(until).toISOString()}`,
      { code: 'UPSTREAM_UNAVAILABLE', path, retryAfterMs: until - now },
    );
  }

  record(scope: string, path: string, outcome: CallOutcome): void {
    const now = this.#now();
    const circuit = this.#circuit(key(scope, path));
    if (outcome === 'rate-limited') {
      circuit.blockedUntil = now + (this.#o.rateLimitBlockMs ?? MINUTE_MS);
      // The upstream answered: as a probe, that closes the circuit.
      if (circuit.state === 'half-open') this.#close(circuit);
      return;
    }
    const failed = outcome === 'failure';
    circuit.recent.push({ at: now, failed });
    while (circuit.recent.length > 0 && circuit.recent[0]!.at < now - this.#o.windowMs)
      circuit.recent.shift();
    if (!failed) {
      if (circuit.state === 'half-open') this.#close(circuit);
      circuit.consecutive = 0;
      return;
    }
    circuit.consecutive++;
    const failedShare = circuit.recent.filter((r) => r.failed).length / circuit.recent.length;
    if (
      circuit.state === 'half-open' ||
      circuit.consecutive >= this.#o.failures ||
      (circuit.recent.length >= this.#o.minCalls && failedShare * 100 >= this.#o.failureRatePercent)
    ) {
      circuit.state = 'open';
      circuit.openUntil = now + this.#o.cooldownMs;
    }
  }

  /** For metrics and tests: the state of one circuit (closed when never used). */
  state(scope: string, path: string): Circuit['state'] {
    return this.#circuits.get(key(scope, path))?.state ?? 'closed';
  }

  /** Circuits not closed right now, for metrics. */
  openCount(): number {
    let n = 0;
    for (const c of this.#circuits.values()) if (c.state !== 'closed') n++;
    return n;
  }

  #close(circuit: Circuit): void {
    circuit.state = 'closed';
    circuit.consecutive = 0;
    circuit.recent = [];
  }

  #circuit(k: string): Circuit {
    let circuit = this.#circuits.get(k);
    if (circuit) return circuit;
    circuit = {
      state: 'closed',
      consecutive: 0,
      recent: [],
      openUntil: 0,
      blockedUntil: 0,
    };
    this.#circuits.set(k, circuit);
    if (this.#circuits.size > (this.#o.maxCircuits ?? 10_000)) {
      const oldest = this.#circuits.keys().next().value;
      if (oldest !== undefined) this.#circuits.delete(oldest);
    }
    return circuit;
  }
}

function key(scope: string, path: string): string {
  return `${scope} ${path}`;
}
