import { Agent } from 'undici';
import { allCorpsAuthInfo } from '../operations.js';
import type { BenchRedis } from '../redisTools.js';
import { BENCH_KEY, type Gateway, type SimApi } from '../stack.js';

export type TokenRun = {
  requests: number;
  failed: number;
  firstFailure: string | null;
  corpTokenCalls: number;
  suiteTokenCalls: number;
  corps: number;
};

/**
 * Cold start across replicas: every cached token (and token lock) deleted from Redis, then
 * `perReplica` concurrent requests on each replica at once, each needing every corp's token.
 * The simulator counts get_corp_token / get_suite_token.
 */
export async function runTokenColdStart(opts: {
  replicas: Gateway[];
  sim: SimApi;
  redis: BenchRedis;
  corpIds: string[];
  perReplica: number;
}): Promise<TokenRun> {
  const { sim, redis, corpIds } = opts;
  await redis.purge('token:*');
  await redis.purge('lock:token:*');
  await sim.post('/__sim/stats/reset');
  const body = JSON.stringify({ query: allCorpsAuthInfo(corpIds) });
  const dispatcher = new Agent({ connections: opts.perReplica, pipelining: 0 });
  let failed = 0;
  let firstFailure: string | null = null;
  const one = async (url: string) => {
    try {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` },
        body,
        // @ts-expect-error undici's dispatcher option is not in the DOM RequestInit type
        dispatcher,
      });
      const text = await res.text();
      if (res.status !== 200 || text.includes('"errors"'))
        throw new Error(`HTTP ${res.status} ${text.slice(0, 300)}`);
    } catch (error) {
      failed++;
      firstFailure ??= (error as Error).message;
    }
  };
  await Promise.all(opts.replicas.flatMap((r) => Array.from({ length: opts.perReplica }, () => one(r.url))));
  await dispatcher.close();
  const calls = await sim.calls();
  return {
    requests: opts.replicas.length * opts.perReplica,
    failed,
    firstFailure,
    corpTokenCalls: calls['/cgi-bin/service/get_corp_token'] ?? 0,
    suiteTokenCalls: calls['/cgi-bin/service/get_suite_token'] ?? 0,
    corps: corpIds.length,
  };
}
