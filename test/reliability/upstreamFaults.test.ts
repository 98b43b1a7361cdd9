import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type Stack, startStack } from '../helpers/startStack.js';
import { firstCode, type GraphqlBody, postGraphql, reportFigures } from './figures.js';

const RULES = '/cgi-bin/chatdata/keyword/get_rule_list';
const USERS = '/cgi-bin/chatdata/get_auth_user_list';
const RULES_QUERY = 'query($c: String!) { corp(corpId: $c) { keywordRules(first: 5) { edges { cursor } } } }';
const USERS_QUERY =
  'query($c: String!) { corp(corpId: $c) { authorizedUsers(first: 5) { edges { cursor } } } }';
const CODED = new Set(['UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'RATE_LIMITED']);
const RETRIES = 2;

type Calls = Record<string, number>;

describe('upstream faults: coded errors, no crash, no retry storm', () => {
  let stack: Stack;
  const figures = { requests: 0, faultsInjected: 0, clientErrors: 0, upstreamCalls: 0, slowestMs: 0 };
  beforeAll(async () => {
    stack = await startStack({
      env: {
        UPSTREAM_RETRIES: String(RETRIES),
        UPSTREAM_TIMEOUT_MS: '1000',
        BREAKER_FAILURES: '5',
        BREAKER_COOLDOWN_S: '1',
      },
    });
  });
  afterAll(async () => {
    reportFigures('upstream faults', figures);
    await stack?.stop();
  });

  const clearFaults = () => fetch(`${stack.simUrl}/__sim/faults`, { method: 'DELETE' });
  const calls = async (): Promise<Calls> => (await stack.simGet<{ calls: Calls }>('/__sim/stats')).calls;
  const total = (c: Calls) => Object.values(c).reduce((a, b) => a + b, 0);

  /** Runs `n` queries, `concurrency` at a time; every answer must be data or coded errors. */
  async function load(n: number, query: string, corpIds: string[], concurrency = 8): Promise<GraphqlBody[]> {
    const out: GraphqlBody[] = [];
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        const res = await postGraphql(
          stack.graphqlUrl,
          { query, variables: { c: corpIds[i % corpIds.length] } },
          { authorization: `Bearer ${ADMIN_KEY}` },
        );
        figures.requests++;
        figures.slowestMs = Math.max(figures.slowestMs, Math.round(res.ms));
        expect(res.status).toBe(200);
        if (res.json.errors) {
          figures.clientErrors++;
          expect(CODED, JSON.stringify(res.json.errors)).toContain(firstCode(res.json));
        } else {
          expect(res.json.data).toBeTruthy();
        }
        out.push(res.json);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return out;
  }

  it('10% upstream errors: nearly everything succeeds through retries; calls stay within the retry budget', async () => {
    const corpIds = stack.corps.map((c) => c.corpId);
    await stack.simPost('/__sim/faults', { path: '*', errcode: -1, rate: 0.1 });
    await stack.simPost('/__sim/stats/reset');
    const results = await load(150, RULES_QUERY, corpIds);
    const c = await calls();
    figures.upstreamCalls += total(c);
    await clearFaults();
    const failed = results.filter((r) => r.errors).length;
    expect(failed).toBeLessThanOrEqual(5);
    // ≤ 1 + RETRIES attempts per upstream call, plus a few token refreshes.
    expect(c[RULES]).toBeLessThanOrEqual(150 * (1 + RETRIES));
    expect(total(c)).toBeLessThan(150 * 1.5);
    figures.faultsInjected += total(c) - 150;
  });

  it('latency spikes past the deadline: UPSTREAM_TIMEOUT or a fast UPSTREAM_UNAVAILABLE, never a hang', async () => {
    const corpIds = stack.corps.map((c) => c.corpId);
    await stack.simPost('/__sim/faults', { path: RULES, delayMs: 2500, rate: 0.5 });
    await stack.simPost('/__sim/stats/reset');
    const results = await load(60, RULES_QUERY, corpIds, 6);
    await clearFaults();
    const c = await calls();
    figures.upstreamCalls += total(c);
    figures.faultsInjected += Math.round((c[RULES] ?? 0) / 2);
    const codes = results.map((r) => firstCode(r) ?? 'ok');
    expect(codes.some((code) => code === 'UPSTREAM_TIMEOUT' || code === 'UPSTREAM_UNAVAILABLE')).toBe(true);
    expect(c[RULES]).toBeLessThanOrEqual(60 * (1 + RETRIES));
  });

  it('a 45009 burst: the corp+path fails fast with RATE_LIMITED and retryAfterSeconds; other corps go on', async () => {
    const [first, second] = stack.corps.map((c) => c.corpId);
    await stack.simPost('/__sim/faults', { path: USERS, errcode: 45009, times: 1 });
    figures.faultsInjected++;
    await stack.simPost('/__sim/stats/reset');
    // One call meets the 45009; the 19 after it (4 at a time) must not reach the upstream.
    const results = [
      ...(await load(1, USERS_QUERY, [first!], 1)),
      ...(await load(19, USERS_QUERY, [first!], 4)),
    ];
    const c = await calls();
    figures.upstreamCalls += total(c);
    expect(c[USERS]).toBe(1); // the one that met 45009; the rest never left the gateway
    expect(results.every((r) => firstCode(r) === 'RATE_LIMITED')).toBe(true);
    const fast = results.find((r) => r.errors?.[0]?.extensions?.['retryAfterSeconds'] !== undefined)!;
    const ext = fast.errors![0]!.extensions!;
    expect(ext['path']).toBe(USERS);
    expect(Number(ext['retryAfterSeconds'])).toBeGreaterThan(0);
    expect(Number(ext['retryAfterSeconds'])).toBeLessThanOrEqual(60);
    expect(fast.errors![0]!.message).toContain(USERS);
    const other = await load(1, USERS_QUERY, [second!]);
    expect(other[0]!.errors).toBeUndefined();
  });

  it('a dead upstream: coded errors, the circuit opens, attempts stay bounded, the gateway stays up', async () => {
    const corpIds = stack.corps.map((c) => c.corpId);
    await stack.sim.stop();
    const started = Date.now();
    const results = await load(90, RULES_QUERY, corpIds, 6);
    const elapsedS = (Date.now() - started) / 1000;
    expect(results.every((r) => firstCode(r) === 'UPSTREAM_UNAVAILABLE')).toBe(true);
    const open = results.find((r) => /circuit open/.test(r.errors?.[0]?.message ?? ''));
    expect(open?.errors?.[0]?.message).toContain(RULES);
    const metrics = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    const attempts = sumMetric(metrics, RULES, 'upstream_unavailable');
    const refused = sumMetric(metrics, RULES, 'circuit_open');
    figures.upstreamCalls += attempts;
    figures.faultsInjected += attempts;
    // Per corp: 5 failures open the circuit, then one probe per 1 s cooldown.
    expect(attempts).toBeLessThanOrEqual(corpIds.length * (5 + Math.ceil(elapsedS) + 1));
    expect(refused).toBeGreaterThan(0);
    expect((await fetch(`${stack.gatewayUrl}/health`)).status).toBe(200);
    expect((await fetch(`${stack.gatewayUrl}/ready`)).status).toBe(503);
  });
});

function sumMetric(text: string, path: string, result: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (
      line.startsWith('wag_upstream_calls_total{') &&
      line.includes(`path="${path}"`) &&
      line.includes(`result="${result}"`)
    ) {
      sum += Number(line.split(' ').pop());
    }
  }
  return sum;
}
