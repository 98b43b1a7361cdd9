import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoadResult, LoadSpec } from '../loadgen.js';
import { ask, type Child } from '../processes.js';
import { median } from '../summarize.js';
import { type OpName, type OverheadSetup, requestOf } from './overhead.js';

type Side = { rps: number; p50: number; p99: number };
export type TracingRuns = {
  off: Side;
  /** Every span sampled. */
  on: Side;
  /** Parent-based ratio sampling (`TRACING_SAMPLER`); absent in runs before it was measured. */
  sampled?: Side;
  /** on rps / off rps (medians). */
  ratio: number;
  /** sampled rps / off rps (medians). */
  sampledRatio?: number;
};
export type TracingResult = {
  /** Spans the OTLP sink received from the gateway sampling everything, and the bytes they took. */
  spans: { requests: number; bytes: number };
  /** The same from the ratio-sampled gateway. */
  sampledSpans?: { requests: number; bytes: number };
  /** The sampled gateway's sampler, as its env sets it (e.g. `parentbased_traceidratio 0.1`). */
  sampler?: string;
  ops: Partial<Record<OpName, TracingRuns>>;
};

/**
 * The recommended production setting (README "Tracing"): a new trace is sampled with probability
 * 0.1, a request that arrives with a sampled parent always. The standard variables, read by
 * @opentelemetry/sdk-node itself (createSamplerFromEnv) since startTracing passes no sampler.
 */
export const TRACING_SAMPLER = {
  OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
  OTEL_TRACES_SAMPLER_ARG: '0.1',
} as const;

const SIDES = ['off', 'on', 'sampled'] as const;

/**
 * What tracing costs: the same operations against three gateways on one simulator and Redis:
 * tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT: the SDK is never loaded), exporting every span,
 * and sampling with TRACING_SAMPLER; the tracing ones export (OTLP/HTTP protobuf, default
 * batching) to sinks in this process that count and drop. Runs alternate off/on/sampled so
 * drift hits all alike.
 */
export async function runTracing(
  s: Omit<OverheadSetup, 'helloUrl'> & { tracedUrl: string; sampledUrl: string; ops: OpName[] },
): Promise<TracingResult> {
  const urls = { off: s.gatewayUrl, on: s.tracedUrl, sampled: s.sampledUrl };
  const runs: Record<string, Record<(typeof SIDES)[number], LoadResult[]>> = {};
  for (let run = 0; run < s.runs; run++) {
    for (const op of s.ops) {
      for (const side of SIDES) {
        const target = { ...s, helloUrl: '', gatewayUrl: urls[side] };
        const spec: LoadSpec = {
          ...requestOf(op, target),
          connections: s.connections,
          durationMs: s.durationMs,
          warmupMs: s.warmupMs,
        };
        const result = await ask<LoadResult>(s.loadgen as Child, { type: 'run', spec });
        if (result.errors > 0)
          console.warn(`  ${op} tracing ${side}: ${result.errors} failed, first: ${result.firstError}`);
        runs[op] ??= { off: [], on: [], sampled: [] };
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
    const [off, on, sampled] = [med(r.off), med(r.on), med(r.sampled)];
    ops[op as OpName] = { off, on, sampled, ratio: on.rps / off.rps, sampledRatio: sampled.rps / off.rps };
  }
  return {
    spans: { requests: 0, bytes: 0 },
    sampler: `${TRACING_SAMPLER.OTEL_TRACES_SAMPLER} ${TRACING_SAMPLER.OTEL_TRACES_SAMPLER_ARG}`,
    ops,
  };
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
