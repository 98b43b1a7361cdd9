/**
 * The simulator's notion of now: the wall clock plus an offset that only grows. Tests move it with
 * POST /__sim/clock to expire tokens and slide windows without waiting.
 */
export class SimClock {
  private offsetMs: number;

  constructor(startTimeMs: number | null) {
    this.offsetMs = startTimeMs === null ? 0 : startTimeMs - Date.now();
  }

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  nowS(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new Error(`advanceSeconds must be a number >= 0, got ${seconds}`);
    }
    this.offsetMs += seconds * 1000;
  }
}
