import { GraphQLClient } from 'graphql-request';
import { createSimulator, type Simulator } from '../../simulator/createSimulator.js';
import type { SimulatorOptions } from '../../simulator/simulatorOptions.js';
import { type App, buildApp } from '../../src/app.js';
import { type ClientConfig, loadConfig, SCOPES } from '../../src/config/config.js';
import type { ArchivedMessage, MessageLookup } from '../../src/datasources/store/ports.js';
import { classifySyncRecord } from '../../src/ingest/classifySyncRecord.js';
import { createLogger } from '../../src/logging/createLogger.js';
import { type Logger, silentLogger } from '../../src/logging/Logger.js';
import type { JitOptions } from '../../src/plugins/useJitExecution.js';
import { simulatorMsgids } from './archiveCheck.js';
import { freshSchema } from './postgres.js';
import { purgePrefix, testRedisUrl, uniquePrefix } from './redis.js';
import { simControl } from './simControl.js';
import { TEST_APPS_ENV, TEST_APPS_SIM } from './testApps.js';
import { waitFor } from './waitFor.js';

export const ADMIN_KEY = 'test-admin-key';

export type SimCorp = {
  corpId: string;
  name: string;
  employees: { openUserId: string }[];
  customers: { externalUserId: string; followers: string[] }[];
  chats: (
    | { type: 'group'; chatId: string; kind: 'internal' | 'customer'; name: string; members: unknown[] }
    | { type: 'single'; kind: string; parties: { type: number; id: string }[] }
  )[];
  consents: { openUserId: string; externalUserId: string; status: string }[];
};

/** A message lookup the tests fill from real sync_msg pages (stands in for the coming index). */
export class TestMessageLookup implements MessageLookup {
  readonly byId = new Map<string, ArchivedMessage>();
  async getMany(corpId: string, msgids: readonly string[]): Promise<(ArchivedMessage | null)[]> {
    return msgids.map((id) => {
      const m = this.byId.get(`${corpId}|${id}`);
      return m ?? null;
    });
  }
  add(messages: ArchivedMessage[]): void {
    for (const m of messages) this.byId.set(`${m.corpId}|${m.msgid}`, m);
  }
}

export type Stack = {
  sim: Simulator;
  app: App;
  simUrl: string;
  gatewayUrl: string;
  graphqlUrl: string;
  corps: SimCorp[];
  messages: TestMessageLookup;
  /** The gateway's PostgreSQL: this stack's own schema. */
  databaseUrl: string;
  /** A graphql-request client with `key` (default: the all-corps admin key). */
  client(key?: string | null): GraphQLClient;
  simGet<T>(path: string): Promise<T>;
  simPost<T>(path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
};

export type StackOptions = {
  /**
   * Coordination in Redis (a fresh prefix), as several replicas need; default in-process. The
   * store of record is always PostgreSQL (a fresh schema): upstream mode requires it.
   */
  redis?: boolean;
  /** Extra API clients; a function gets the simulator's corp ids (known before the gateway starts). */
  clients?: ClientConfig[] | ((corpIds: string[]) => ClientConfig[]);
  /** Extra gateway env (e.g. TOKEN_REFRESH_MARGIN_S); a function gets the simulator's URL. */
  env?: Record<string, string> | ((simUrl: string) => Record<string, string>);
  /** Message lookups from the real message index instead of the test lookup filled by archiveAll. */
  indexLookup?: boolean;
  sim?: Partial<SimulatorOptions>;
  /** Runs after both are listening and before the simulator's first callback (e.g. to inject a fault). */
  beforeCallbacks?: (simUrl: string) => Promise<void>;
  /**
   * false: the simulator sends nothing by itself (no URL check, no suite_ticket, no create_auth)
   * and nothing is waited for; the test fires every callback through /__sim/events. Default true.
   */
  beginCallbacks?: boolean;
  /** The gateway's logger (default: silent; TEST_LOG=1 prints its debug log). */
  logger?: Logger;
  /** Compiled execution's options, e.g. `onCompile` to see which operations were compiled. */
  jit?: JitOptions;
};

/**
 * Simulator (port 0, no live traffic) + gateway (port 0) wired together; the demo corps are
 * authorized through the real callback path, and this resolves once every one of them is
 * ACTIVE with a public key (bounded wait).
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sim = createSimulator({
    port: 0,
    messageRate: 0,
    newMessageBatchMs: 50,
    ...TEST_APPS_SIM,
    ...options.sim,
  });
  const { url: simUrl } = await sim.start();
  const prefix = options.redis ? uniquePrefix('graph') : undefined;
  const schema = await freshSchema('stack');
  const clients: ClientConfig[] = [
    { id: 'admin', key: ADMIN_KEY, corps: ['*'], scopes: [...SCOPES] },
    ...(typeof options.clients === 'function'
      ? options.clients(sim.state.corpList().map((c) => c.corpId))
      : (options.clients ?? [])),
  ];
  const config = loadConfig({
    PORT: '0',
    WECOM_API_BASE: simUrl,
    GATEWAY_MASTER_KEY: 'test-master-key-0123456789',
    GATEWAY_CLIENTS: JSON.stringify(clients),
    LOG_LEVEL: 'silent',
    ...TEST_APPS_ENV,
    UPSTREAM_RETRIES: '0',
    UPSTREAM_TIMEOUT_MS: '3000',
    ...(typeof options.env === 'function' ? options.env(simUrl) : options.env),
    ...(prefix ? { REDIS_URL: testRedisUrl, REDIS_PREFIX: prefix } : {}),
    DATABASE_URL: schema.url,
  });
  const messages = new TestMessageLookup();
  let app: App | null = null;
  try {
    app = await buildApp(
      { ...config, wecomApiBase: simUrl },
      {
        logger: options.logger ?? (process.env['TEST_LOG'] ? createLogger({ level: 'debug' }) : silentLogger),
        ...(options.indexLookup ? {} : { messages }),
        ...(options.jit ? { jit: options.jit } : {}),
      },
    );
    const { url: gatewayUrl } = await app.start();
    sim.setCallbackUrl(`${gatewayUrl}/wecom/callback`);
    await options.beforeCallbacks?.(simUrl);
    const begin = options.beginCallbacks ?? true;
    if (begin) await sim.beginCallbacks();

    const control = simControl(simUrl);
    const simGet = control.get;
    const simPost = control.post;
    const { corps } = await simGet<{ corps: SimCorp[] }>('/__sim/corps');
    if (begin) {
      await waitForActiveCorps(
        app,
        corps.map((c) => c.corpId),
      );
      await waitForBacklog(
        app,
        sim,
        corps.map((c) => c.corpId),
      );
    }
    const graphqlUrl = `${gatewayUrl}/graphql`;
    const started = app;
    return {
      sim,
      app: started,
      simUrl,
      gatewayUrl,
      graphqlUrl,
      corps,
      messages,
      databaseUrl: schema.url,
      client: (key = ADMIN_KEY) =>
        new GraphQLClient(graphqlUrl, { headers: key === null ? {} : { authorization: `Bearer ${key}` } }),
      simGet,
      simPost,
      async stop() {
        await started.stop();
        await sim.stop();
        if (prefix) await purgePrefix(prefix);
        await schema.drop();
      },
    };
  } catch (error) {
    await app?.stop().catch(() => {});
    await sim.stop();
    if (prefix) await purgePrefix(prefix);
    await schema.drop();
    throw error;
  }
}

/**
 * Polls the registries (bounded: 10 s) until every corp is ACTIVE with a public key and has
 * authorized the display app too.
 */
async function waitForActiveCorps(app: App, corpIds: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const records = await Promise.all(corpIds.map((id) => app.datasources.corps.get(id)));
    const keys = await Promise.all(corpIds.map((id) => app.datasources.keys.current(id)));
    const display = await Promise.all(corpIds.map((id) => app.datasources.display.corps.get(id)));
    if (
      records.every((r) => r?.status === 'ACTIVE') &&
      keys.every((k) => k !== null) &&
      display.every((r) => r?.status === 'ACTIVE')
    )
      return;
    if (Date.now() > deadline) {
      throw new Error(`demo corps not ACTIVE with a key within 10 s: ${JSON.stringify(records)}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Waits (bounded) until the start-up sync has indexed each corp's whole backlog, so tests that
 * count upstream calls do not race the background catch-up.
 */
async function waitForBacklog(app: App, sim: Simulator, corpIds: string[]): Promise<void> {
  await waitFor('the backlog indexed', async () => {
    const done = await Promise.all(
      corpIds.map(async (id) => (await app.ingest.index.lastSeq(id)) >= simulatorMsgids(sim, id).length),
    );
    return done.every(Boolean);
  });
}

/** Pulls the corp's archive once through the real client and fills the test lookup with it. */
export async function archiveAll(stack: Stack, corpId: string): Promise<ArchivedMessage[]> {
  const out: ArchivedMessage[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const res = await stack.app.datasources.api.chatdata(corpId, 'sync_msg', { cursor, limit: 1000 });
    for (const raw of res.msg_list) {
      const record = classifySyncRecord(corpId, raw);
      if (record.kind === 'message') out.push(record.message);
    }
    cursor = res.next_cursor;
    if (!res.has_more) break;
  }
  stack.messages.add(out);
  return out;
}
