type App = 'archive' | 'display';

/** Upstream calls per path, for GET /__sim/stats (tests assert batching with it). */
export class CallStats {
  private calls: Record<string, number> = {};
  /** Calls made with a suite_access_token, per app: get_corp_token is one path for both apps. */
  private suiteCalls: Record<App, Record<string, number>> = { archive: {}, display: {} };

  count(path: string): void {
    this.calls[path] = (this.calls[path] ?? 0) + 1;
  }

  /** A call whose suite_access_token was `app`'s (counted once authenticated, refused or not). */
  countSuite(app: App, path: string): void {
    const calls = this.suiteCalls[app];
    calls[path] = (calls[path] ?? 0) + 1;
  }

  snapshot(): Record<string, number> {
    return { ...this.calls };
  }

  suiteSnapshot(): Record<App, Record<string, number>> {
    return { archive: { ...this.suiteCalls.archive }, display: { ...this.suiteCalls.display } };
  }

  reset(): void {
    this.calls = {};
    this.suiteCalls = { archive: {}, display: {} };
  }
}
