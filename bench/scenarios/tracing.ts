import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoadResult, LoadSpec } from '../loadgen.js';
import { ask, type Child } from '../processes.js';
import { median } from '../summarize.js';
import { type OpName, type OverheadSetup, requestOf } from './overhead.js';

export type TracingRuns = {
  off: { rps: number; p50: number; p99: number };
  on: { rps: number; p50: number; p99: number };
  /** on rps / off rps (medians). */
  ratio: number;
};
export type TracingResult = {
  /** Spans the OTLP sink received from the traced gateway, and the bytes they took. */
  spans: { requests: number; bytes: number };
  ops: Partial<Record<OpName, TracingRuns>>;
};

/**
 * What tracing costs: the same operations against two gateways on one simulator and Redis, one
 * with tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT: the SDK is never loaded) and one exporting
 * every span (OTLP/HTTP protobuf, default batching, sampling everything) to a sink in this
 * process that counts and drops. Runs alternate off/on so drift hits both alike.
 */
export async function runTracing(
  s: Omit<OverheadSetup, 'helloUrl'> & { tracedUrl: string; ops: OpName[] },
): Promise<TracingResult> {
  const runs: Record<string, { off: LoadResult[]; on: LoadResult[] }> = {};
  for (let run = 0; run < s.runs; run++) {
    for (const op of s.ops) {
      for (const side of ['off', 'on'] as const) {
        const target = { ...s, helloUrl: '', gatewayUrl: side === 'on' ? s.tracedUrl : s.gatewayUrl };
        const spec: LoadSpec = {
          ...requestOf(op, target),
          connections: s.connections,
          durationMs: s.durationMs,
          warmupMs: s.warmupMs,
        };
        const result = await ask<LoadResult>(s.loadgen as Child, { type: 'run', spec });
        if (result.errors > 0)
          console.warn(`  ${op} tracing ${side}: ${result.errors} failed, first: ${result.firstError}`);
        runs[op] ??= { off: [], on: [] };
        runs[op][side].push(result);
        console.log(
          `  ${op} tracing ${side}: ${Math.round(result.rps)} rps, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms`,
        );
      }
    }
  }
  const ops: TracingResult['ops'] = {};
  for (const [op, r] of Object.entries(runs)) {
    const med = (xs: LoadResult[]) => ({
      rps: median(xs.map((x) => x.rps)),
      p50: median(xs.map((x) => x.p50)),
      p99: median(xs.map((x) => x.p99)),
    });
    const off = med(r.off);
    const on = med(r.on);
    ops[op as OpName] = { off, on, ratio: on.rps / off.rps };
  }
  return { spans: { requests: 0, bytes: 0 }, ops };
}

/** An OTLP/HTTP endpoint that accepts every export and only counts it (a collector's cost is not ours). */
export async function startOtlpSink(): Promise<{
  url: string;
  stats: { requests: number; bytes: number };
  close(): Promise<void>;
}> {
  const stats = { requests: 0, bytes: 0 };
  const server: Server = createServer((req, res) => {
    req.on('data', (c: Buffer) => {
      stats.bytes += c.length;
    });
    req.on('end', () => {
      stats.requests++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
