import { simControl } from '../test/helpers/simControl.js';
import { TEST_APPS_ENV } from '../test/helpers/testApps.js';
import { type Child, spawnNode, spawnTs, waitHttpOk } from './processes.js';

export const BENCH_KEY = 'bench-key';
const CLIENTS = JSON.stringify([
  {
    id: 'bench',
    key: BENCH_KEY,
    corps: ['*'],
    scopes: ['corp:read', 'content:display', 'rules:write', 'analysis:write', 'export:write', 'admin'],
  },
]);

export type Gateway = { child: Child; url: string; port: number; readyMs: number };

/**
 * One gateway process in upstream mode against the simulator process, on `port`, sharing
 * `prefix` in Redis. Resolves once /ready answers 200; `readyMs` is spawn → ready.
 */
export async function startGateway(opts: {
  port: number;
  simUrl: string;
  redisUrl: string;
  prefix: string;
  /** The store of record (a schema of the bench's own). */
  databaseUrl: string;
  env?: Record<string, string>;
  /** What "started" means: /ready (default; needs Redis and the upstream) or /health (listening). */
  waitPath?: '/ready' | '/health';
  /** Extra node flags (e.g. --cpu-prof when investigating). */
  nodeArgs?: string[];
  /** Run this compiled entry (`…/src/main.js`) with plain node instead of src/main.ts through tsx. */
  compiledMain?: string;
  /** Bound on spawn → ready, ms. Default 30000 (a traced gateway loads the whole OpenTelemetry SDK first). */
  readyTimeoutMs?: number;
}): Promise<Gateway> {
  const since = performance.now();
  const child = (opts.compiledMain ? spawnNode : spawnTs)(
    opts.compiledMain ?? 'src/main.ts',
    {
      PORT: String(opts.port),
      HOST: '127.0.0.1',
      WECOM_API_BASE: opts.simUrl,
      // Upstream mode refuses the demo secrets; the simulator process gets the same values.
      ...TEST_APPS_ENV,
      REDIS_URL: opts.redisUrl,
      REDIS_PREFIX: opts.prefix,
      DATABASE_URL: opts.databaseUrl,
      GATEWAY_MASTER_KEY: 'bench-master-key-0123456789',
      GATEWAY_CLIENTS: CLIENTS,
      LOG_LEVEL: 'warn',
      // The benchmark is the only client and must not be throttled by its own defence.
      RATE_LIMIT_MAX: '0',
      NODE_ENV: 'production',
      ...opts.env,
    },
    `gateway:${opts.port}`,
    opts.nodeArgs,
  );
  const url = `http://127.0.0.1:${opts.port}`;
  const readyMs = await waitHttpOk(
    `${url}${opts.waitPath ?? '/ready'}`,
    since,
    opts.readyTimeoutMs ?? 30_000,
    child,
  );
  return { child, url, port: opts.port, readyMs };
}

/** The simulator process (`simulator/main.ts`), limits raised so only the gateway is measured. */
export async function startSimulator(opts: { port: number; callbackUrl: string }): Promise<Child> {
  const since = performance.now();
  const child = spawnTs(
    'simulator/main.ts',
    {
      ...TEST_APPS_ENV,
      SIM_PORT: String(opts.port),
      SIM_CALLBACK_URL: opts.callbackUrl,
      SIM_MESSAGE_RATE: '0',
      SIM_SEED: '42',
      SIM_RATE_PER_MINUTE: '1000000000',
      SIM_RATE_PER_HOUR: '1000000000',
      SIM_CONCURRENCY: '1000000',
      // The bench restarts gateways several times a minute, and each start-up catch-up syncs every
      // corp without a callback token: WeCom's strict token-less limit (6/min) would block those
      // for a minute and measure the upstream's penalty instead of the gateway.
      SIM_TOKENLESS_SYNC_PER_MINUTE: '1000000',
    },
    'simulator',
  );
  await waitHttpOk(`http://127.0.0.1:${opts.port}/__sim/stats`, since, 30_000, child);
  return child;
}

export async function gql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` },
    body: JSON.stringify({ query, variables }),
  });
  const json = (await res.json()) as { data?: T; errors?: unknown[] };
  if (json.errors || !json.data) throw new Error(`GraphQL failed: ${JSON.stringify(json.errors ?? json)}`);
  return json.data;
}

export type SimCorp = {
  corpId: string;
  keySet: boolean;
  messageCount: number;
  chats: { type: string; kind?: string; chatId?: string; name?: string }[];
};

export function simApi(simUrl: string) {
  return {
    ...simControl(simUrl),
    async corps(): Promise<SimCorp[]> {
      return (await this.get<{ corps: SimCorp[] }>('/__sim/corps')).corps;
    },
    async calls(): Promise<Record<string, number>> {
      return (await this.get<{ calls: Record<string, number> }>('/__sim/stats')).calls;
    },
  };
}
export type SimApi = ReturnType<typeof simApi>;

/** Waits (bounded) until the gateway has every simulator corp ACTIVE with a key and its archive indexed. */
export async function waitArchived(gatewayUrl: string, sim: SimApi, timeoutMs = 60_000): Promise<SimCorp[]> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const corps = await sim.corps();
    try {
      const data = await gql<{
        corps: { edges: { node: { corpId: string; syncState: { indexedMessages: number } } }[] };
      }>(gatewayUrl, '{ corps(first: 100) { edges { node { corpId syncState { indexedMessages } } } } }');
      const indexed = new Map(data.corps.edges.map((e) => [e.node.corpId, e.node.syncState.indexedMessages]));
      last = JSON.stringify({
        sim: corps.map((c) => [c.corpId, c.keySet, c.messageCount]),
        indexed: [...indexed],
      });
      if (corps.every((c) => c.keySet && c.messageCount > 0 && indexed.get(c.corpId) === c.messageCount))
        return corps;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`corps not archived within ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
