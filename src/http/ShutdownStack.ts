/** What a step may still wait: ms left of the shutdown grace, never below 0. */
export type Remaining = () => number;

type Step = { name: string; stop: (left: Remaining) => Promise<void> | void };

/**
 * How the gateway stops: each subsystem registers its stop as it is built, and they run in
 * reverse, so what was built last (the listener and its sockets) stops first and the stores
 * everything else uses close last. The steps share one grace period; every step runs even after
 * one failed (each failure is reported), and `unwind` then rejects with the first.
 */
export class ShutdownStack {
  readonly #steps: Step[] = [];

  defer(name: string, stop: Step['stop']): void {
    this.#steps.push({ name, stop });
  }

  async unwind(graceMs: number, onError: (step: string, error: unknown) => void): Promise<void> {
    const deadline = Date.now() + graceMs;
    const left: Remaining = () => Math.max(0, deadline - Date.now());
    let first: { error: unknown } | null = null;
    for (let step = this.#steps.pop(); step; step = this.#steps.pop()) {
      try {
        await step.stop(left);
      } catch (error) {
        onError(step.name, error);
        first ??= { error };
      }
    }
    if (first) throw first.error;
  }
}
