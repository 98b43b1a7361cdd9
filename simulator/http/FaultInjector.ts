export type Fault = {
  path: string;
  /** Only calls made with this corp's token; unset = any caller. */
  corpId?: string;
  errcode?: number;
  httpStatus?: number;
  delayMs?: number;
  /**
   * The call is carried out upstream (its effect stays), then the connection is closed without
   * an answer: what a client sees when a response is lost on the way back.
   */
  responseLost?: boolean;
  /** Applies to the next N matching calls; unset = until cleared. */
  times?: number;
  /** Probability per matching call, 0..1; unset = always. */
  rate?: number;
};

/** Failures injected through POST /__sim/faults; `path` is exact or "*". */
export class FaultInjector {
  private faults: (Fault & { left: number })[] = [];

  add(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.faults = [];
  }

  /** The faults as added, each with how many times it may still fire (null: unlimited). */
  list(): (Fault & { remaining: number | null })[] {
    return this.faults.map(({ left, ...f }) => ({ ...f, remaining: Number.isFinite(left) ? left : null }));
  }

  /** The first live fault for this path (and caller's corp) that fires, consuming one of its `times`. */
  take(path: string, corpId: string | null): Fault | null {
    for (const f of this.faults) {
      if (f.left <= 0 || (f.path !== '*' && f.path !== path)) continue;
      if (f.corpId !== undefined && f.corpId !== corpId) continue;
      if (f.rate !== undefined && Math.random() >= f.rate) continue;
      f.left -= 1;
      return f;
    }
    return null;
  }
}
