import type { ServerResponse } from 'node:http';

/**
 * HTTP responses not yet finished (or dropped), so a shutdown can wait for them. An SSE stream
 * counts until it ends.
 */
export class InFlight {
  #count = 0;
  #drained: (() => void) | null = null;

  track(res: ServerResponse): void {
    this.#count++;
    res.once('close', () => {
      this.#count--;
      if (this.#count === 0) this.#drained?.();
    });
  }

  /** Resolves when none is left. */
  drained(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#drained = resolve;
    });
  }
}
