import { ask, type Child } from './processes.js';

export type OpenTarget = { url: string; key: string; query: string; variables: Record<string, unknown> };
export type Opened = { open: number; failures: number; firstFailure: string | null };
export type RoundResult = { latencies: number[]; expected: number; frameBytes: number };

/**
 * The subscriber pool processes (bench/subscribers.ts) as one set of clients, so the gateway and
 * the bare `ws` baseline are measured by the same clients with the same clock.
 */
export class SubscriberPools {
  constructor(readonly pools: Child[]) {}

  /** Grows the open subscriptions to `target` in total, spread evenly over the pools. */
  async open(to: OpenTarget, target: number, alreadyOpen: number): Promise<Opened> {
    const more = target - alreadyOpen;
    const per = Math.ceil(more / this.pools.length);
    const opened = await Promise.all(
      this.pools.map((p, i) =>
        ask<Opened>(p, {
          type: 'open',
          spec: { ...to, count: Math.max(0, Math.min(per, more - per * i)) },
        }),
      ),
    );
    return {
      open: opened.reduce((n, o) => n + o.open, 0),
      failures: opened.reduce((n, o) => n + o.failures, 0),
      firstFailure: opened.find((o) => o.firstFailure)?.firstFailure ?? null,
    };
  }

  /**
   * One message: `send` makes the server emit it and returns its msgid; every subscriber's
   * latency (ms) is counted from just before `send`.
   */
  async round(send: () => Promise<string>, timeoutMs: number): Promise<RoundResult> {
    const sentAt = performance.timeOrigin + performance.now();
    const msgid = await send();
    const parts = await Promise.all(
      this.pools.map((p) =>
        ask<{ times: number[]; expected: number; frameBytes: number }>(p, {
          type: 'collect',
          msgid,
          timeoutMs,
        }),
      ),
    );
    return {
      latencies: parts.flatMap((p) => p.times.map((t) => t - sentAt)),
      expected: parts.reduce((n, p) => n + p.expected, 0),
      frameBytes: Math.max(...parts.map((p) => p.frameBytes)),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((p) => ask(p, { type: 'close' })));
  }
}
