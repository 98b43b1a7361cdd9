import type { LoadResult, LoadSpec } from '../loadgen.js';
import { CORP_OVERVIEW, HELLO, MESSAGE_PAGE, NESTED_CHATS } from '../operations.js';
import { ask, type Child } from '../processes.js';
import { BENCH_KEY, type SimApi } from '../stack.js';
import { median } from '../summarize.js';

export type OpName = 'hello' | 'overview' | 'nested' | 'page';
export const OPS: OpName[] = ['hello', 'overview', 'nested', 'page'];

export type OpRuns = {
  runs: LoadResult[];
  median: { rps: number; p50: number; p99: number; errors: number };
  /** Median rps divided by bare yoga's median rps in the same round. */
  ratio: number;
};
export type OverheadResult = { simLatencyMs: number; ops: Record<OpName, OpRuns> };

export type OverheadSetup = {
  loadgen: Child;
  gatewayUrl: string;
  helloUrl: string;
  sim: SimApi;
  corpId: string;
  searchWord: string;
  runs: number;
  durationMs: number;
  warmupMs: number;
  connections: number;
};

export function requestOf(
  op: OpName,
  s: Pick<OverheadSetup, 'gatewayUrl' | 'helloUrl' | 'corpId' | 'searchWord'>,
): { url: string; body: string; headers: Record<string, string> } {
  const doc = { hello: HELLO, overview: CORP_OVERVIEW, nested: NESTED_CHATS, page: MESSAGE_PAGE }[op];
  const variables =
    op === 'nested' ? { corpId: s.corpId, q: s.searchWord } : op === 'hello' ? {} : { corpId: s.corpId };
  return {
    url: op === 'hello' ? s.helloUrl : `${s.gatewayUrl}/graphql`,
    body: JSON.stringify({ query: doc, variables }),
    headers: op === 'hello' ? {} : ({ authorization: `Bearer ${BENCH_KEY}` } as Record<string, string>),
  };
}

/**
 * Throughput and latency of the three gateway operations and bare yoga, interleaved run by run
 * (so drift hits all alike), with every upstream call delayed by `simLatencyMs` in the simulator.
 * `primeMs`: first load every target that long, unmeasured, so both servers' JIT is in steady
 * state before the first measured run (bare yoga otherwise gains ~25% between the first runs).
 */
export async function runOverhead(
  s: OverheadSetup,
  simLatencyMs: number,
  primeMs = 0,
): Promise<OverheadResult> {
  await s.sim.del('/__sim/faults');
  if (simLatencyMs > 0) await s.sim.post('/__sim/faults', { path: '*', delayMs: simLatencyMs });
  const results: Record<OpName, LoadResult[]> = { hello: [], overview: [], nested: [], page: [] };
  try {
    if (primeMs > 0) {
      for (const op of OPS) {
        const spec: LoadSpec = {
          ...requestOf(op, s),
          connections: s.connections,
          durationMs: primeMs,
          warmupMs: 0,
        };
        await ask<LoadResult>(s.loadgen, { type: 'run', spec });
      }
    }
    for (let run = 0; run < s.runs; run++) {
      for (const op of OPS) {
        const spec: LoadSpec = {
          ...requestOf(op, s),
          connections: s.connections,
          durationMs: s.durationMs,
          warmupMs: s.warmupMs,
        };
        const result = await ask<LoadResult>(s.loadgen, { type: 'run', spec });
        if (result.errors > 0) console.warn(`  ${op}: ${result.errors} failed, first: ${result.firstError}`);
        results[op].push(result);
        console.log(
          `  latency ${simLatencyMs} ms, run ${run + 1}, ${op}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms`,
        );
      }
    }
  } finally {
    await s.sim.del('/__sim/faults');
  }
  const helloRps = median(results.hello.map((r) => r.rps));
  const ops = Object.fromEntries(
    OPS.map((op) => {
      const runs = results[op];
      const rps = median(runs.map((r) => r.rps));
      return [
        op,
        {
          runs,
          median: {
            rps,
            p50: median(runs.map((r) => r.p50)),
            p99: median(runs.map((r) => r.p99)),
            errors: runs.reduce((n, r) => n + r.errors, 0),
          },
          ratio: rps / helloRps,
        },
      ];
    }),
  ) as Record<OpName, OpRuns>;
  return { simLatencyMs, ops };
}
