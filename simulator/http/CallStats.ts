/** Upstream calls per path, for GET /__sim/stats (tests assert batching with it). */
export class CallStats {
  private calls: Record<string, number> = {};

  count(path: string): void {
    this.calls[path] = (this.calls[path] ?? 0) + 1;
  }

  snapshot(): Record<string, number> {
    return { ...this.calls };
  }

  reset(): void {
    this.calls = {};
  }
}
