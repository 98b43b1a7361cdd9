import { Pool } from 'undici';
import { serveAsk } from './processes.js';
import { summarize } from './summarize.js';

/**
 * The load generator, in its own process so its CPU is not the gateway's: closed-loop
 * `connections` keep-alive clients POSTing one GraphQL body as fast as answers come back.
 * A response counts only when it is HTTP 200 without `errors`.
 */
export type LoadSpec = {
  url: string;
  body: string;
  headers?: Record<string, string>;
  connections: number;
  durationMs: number;
  warmupMs: number;
};

export type LoadResult = {
  requests: number;
  errors: number;
  firstError: string | null;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
};

async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.url);
  const pool = new Pool(url.origin, { connections: spec.connections, pipelining: 1 });
  const headers = { 'content-type': 'application/json', ...spec.headers };
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const start = performance.now();
  const measureFrom = start + spec.warmupMs;
  const end = measureFrom + spec.durationMs;
  const client = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      let ok = false;
      try {
        const res = await pool.request({ path: url.pathname, method: 'POST', headers, body: spec.body });
        const text = await res.body.text();
        ok = res.statusCode === 200 && !text.includes('"errors"');
        if (!ok && firstError === null) firstError = `HTTP ${res.statusCode}: ${text.slice(0, 300)}`;
      } catch (error) {
        if (firstError === null) firstError = (error as Error).message;
      }
      const done = performance.now();
      if (t < measureFrom || done > end) continue;
      if (ok) latencies.push(done - t);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: spec.connections }, client));
  await pool.close();
  const s = summarize(latencies);
  return {
    requests: latencies.length,
    errors,
    firstError,
    rps: latencies.length / (spec.durationMs / 1000),
    p50: s.p50,
    p90: s.p90,
    p99: s.p99,
    max: s.max,
  };
}

serveAsk({ run: async (message) => runLoad(message['spec'] as LoadSpec) });
