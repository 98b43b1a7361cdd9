import type { SimApi } from '../stack.js';
import { type OpName, requestOf } from './overhead.js';

export type AmplificationResult = {
  op: OpName;
  requests: number;
  /** Upstream calls per request, by API path (tokens and ingestion excluded). */
  callsPerRequest: Record<string, number>;
  totalPerRequest: number;
  /** Distinct upstream keys one request needs, from its own response. */
  distinctKeys: number;
  /** totalPerRequest / distinctKeys; the goal is ≤ 1. */
  ratio: number;
};

/** Cached tokens and background ingestion (watchdog polls) are not the request's calls. */
const NOT_REQUEST_PATHS = new Set([
  '/cgi-bin/service/get_suite_token',
  '/cgi-bin/service/get_corp_token',
  '/cgi-bin/chatdata/sync_msg',
  '/cgi-bin/chatdata/keyword/get_hit_msg_list',
]);

type NestedData = { corp: { searchChats: { edges: { node: { kind: string; chatId: string | null } }[] } } };

/** Distinct keys the response implies: search_chat once, then per group chatid groupchat/get and room consent. */
function distinctKeysOf(op: OpName, data: unknown): number {
  if (op === 'overview') return 1; // get_corp_auth_info
  if (op !== 'nested') return 0;
  const chats = new Set((data as NestedData).corp.searchChats.edges.map((e) => e.node.chatId));
  return 1 + 2 * chats.size;
}

/** Sends `op` `count` times one after another and reads the simulator's call counts. */
export async function runAmplification(
  setup: Parameters<typeof requestOf>[1],
  sim: SimApi,
  op: OpName,
  count: number,
): Promise<AmplificationResult> {
  const request = requestOf(op, setup);
  await sim.post('/__sim/stats/reset');
  let data: unknown = null;
  for (let i = 0; i < count; i++) {
    const res = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...request.headers },
      body: request.body,
    });
    const json = (await res.json()) as { data?: unknown; errors?: unknown };
    if (json.errors) throw new Error(`${op} failed: ${JSON.stringify(json.errors)}`);
    data = json.data;
  }
  const calls = await sim.calls();
  const callsPerRequest: Record<string, number> = {};
  let total = 0;
  for (const [path, n] of Object.entries(calls)) {
    if (NOT_REQUEST_PATHS.has(path)) continue;
    callsPerRequest[path] = n / count;
    total += n / count;
  }
  const distinctKeys = distinctKeysOf(op, data);
  return {
    op,
    requests: count,
    callsPerRequest,
    totalPerRequest: total,
    distinctKeys,
    ratio: distinctKeys === 0 ? (total === 0 ? 0 : Number.POSITIVE_INFINITY) : total / distinctKeys,
  };
}
