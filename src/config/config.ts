import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The only reader of `process.env` in the gateway. Every option documents its env variable,
 * its default and its unit. Values are passed down; nothing else reads the environment.
 */

/** Demo suite credentials. The simulator has the same defaults, so the two agree unconfigured. */
export const DEMO_SUITE = {
  suiteId: 'wwsuite0archive0demo',
  suiteSecret: 'demo-suite-secret-0123456789',
  callbackToken: 'demoCallbackToken',
  callbackAesKey: '9c0EhFLcOqGacHr0cm3KZn17mELvfIoL2e0k2THSA0a',
} as const;

/**
 * Demo values of the provider's own corpid (receiveid of WeCom's URL verification) and of the
 * display app (the third-party / 代开发 app behind the display component and JS-SDK signatures).
 * The simulator has the same defaults; in upstream mode none of them is accepted.
 */
export const DEMO_PROVIDER_CORPID = 'wwprovider0demo0corp';
export const DEMO_DISPLAY_SUITE = {
  suiteId: 'wwsuite0display0demo',
  suiteSecret: 'demo-display-suite-secret-0123',
} as const;

/** Used only in embedded mode when GATEWAY_MASTER_KEY is unset. Never acceptable in production. */
const DEMO_MASTER_KEY = 'embedded-demo-master-key-not-for-production';
const DEMO_CLIENT_KEY = 'demo-key';

export const SCOPES = [
  'corp:read',
  'content:display',
  'rules:write',
  'analysis:write',
  'export:write',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

const clientSchema = z.object({
  id: z.string().min(1),
  /** Plain key or `sha256:<hex>` of it. */
  key: z.string().min(1),
  /** Corp ids this client may see; `"*"` for all. */
  corps: z.array(z.string().min(1)).min(1),
  scopes: z.array(z.enum(SCOPES)),
});
export type ClientConfig = z.infer<typeof clientSchema>;

const aesKey = z.string().regex(/^[a-zA-Z0-9]{43}$/, 'must be 43 characters of [a-zA-Z0-9]');

const boolish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

/**
 * Hardening options (operation limits, rate limits, CSRF, persisted operations, circuit
 * breaker, shutdown). Each has its documented default; src/plugins and WecomHttp enforce them.
 */
const protectionEnv = {
  /** Deepest field nesting of one operation (fragments expanded). Default 12. */
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).default(12),
  /** Aliases in one operation. Default 30. */
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(30),
  /** Lexical tokens in one document. Default 3000. */
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(1).default(3000),
  /** Directives in one operation. Default 20. */
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(20),
  /** Cost budget of one operation, list sizes multiplied in (src/plugins/operationCost.ts); 0 = off. Default 5000. */
  GRAPHQL_MAX_COST: z.coerce.number().int().min(0).default(5000),
  /** Largest request body to /graphql, bytes (graphql-ws frames too). Default 262144 (256 KiB). */
  GRAPHQL_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(262_144),
  /** Introspection for every client. Default: on in embedded mode, off in upstream mode (admin-scope clients always may). */
  GRAPHQL_INTROSPECTION: boolish.optional(),
  /** CSRF prevention: GET and form/text POSTs need an `x-graphql-csrf` header. Default on. */
  GRAPHQL_CSRF: boolish.optional(),
  /**
   * Identical live subscriptions (same document, variables and client; no `after` replay) share
   * one source stream and one execution per event. Default on.
   */
  SUBSCRIPTIONS_SHARED: boolish.optional(),
  /** Events a live subscriber may have queued before it is ended with SLOW_SUBSCRIBER. Default 256. */
  SUBSCRIBER_MAX_QUEUE: z.coerce.number().int().min(1).default(256),
  /** Persisted operations: `off`, `log` (run anything, log unknown documents) or `enforce` (allow-list). Default off. */
  PERSISTED_OPERATIONS: z.enum(['off', 'log', 'enforce']).default('off'),
  /** JSON file of allowed documents: `{"<sha256 hex>": "<document>"}` or `["<document>", …]`. Required unless off. */
  PERSISTED_OPERATIONS_FILE: z.string().min(1).optional(),
  /** GraphQL operations per client per window, shared through Redis; 0 = off. Default 6000. */
  RATE_LIMIT_MAX: z.coerce.number().int().min(0).default(6000),
  /** Rate-limit window, seconds. Default 60. */
  RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).default(60),
  /** Consecutive retryable failures of one (corp, API path) that open its circuit. Default 5. */
  BREAKER_FAILURES: z.coerce.number().int().min(1).default(5),
  /** Failure share in the window that opens the circuit, percent. Default 50. */
  BREAKER_FAILURE_RATE: z.coerce.number().min(1).max(100).default(50),
  /** Calls in the window before the failure share counts. Default 20. */
  BREAKER_MIN_CALLS: z.coerce.number().int().min(1).default(20),
  /** Failure-share window, seconds. Default 30. */
  BREAKER_WINDOW_S: z.coerce.number().positive().default(30),
  /** Open circuit → one half-open probe after this long, seconds. Default 10. */
  BREAKER_COOLDOWN_S: z.coerce.number().positive().default(10),
  /** Bound on finishing in-flight requests and ingest work at shutdown, ms. Default 10000. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
};

const envSchema = z.object({
  /** HTTP port of the gateway. Default 4000; 0 picks a free port. */
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Interface to listen on. Default 127.0.0.1 (set 0.0.0.0 in containers). */
  HOST: z.string().default('127.0.0.1'),
  /** Base URL of the WeCom API. Unset → embedded mode: the simulator runs in-process. */
  WECOM_API_BASE: z.url().optional(),
  /** SuiteId of the 「会话存档接口授权」 app. Default: the demo suite. */
  WECOM_SUITE_ID: z.string().min(1).default(DEMO_SUITE.suiteId),
  /** Suite secret. Default in embedded mode: the demo secret; required (and not the demo one) in upstream mode. */
  WECOM_SUITE_SECRET: z.string().min(1).optional(),
  /** Callback Token (signature key). Default in embedded mode: the demo token; required in upstream mode. */
  WECOM_CALLBACK_TOKEN: z.string().min(1).optional(),
  /** Callback EncodingAESKey, 43 chars of [a-zA-Z0-9]. Default in embedded mode: the demo key; required in upstream mode. */
  WECOM_CALLBACK_AES_KEY: aesKey.optional(),
  /**
   * The provider's own corpid (服务商 CorpID): WeCom signs the GET URL verification of a callback
   * URL with it as receiveid, and some events carry it. Default in embedded mode: the demo
   * provider; required in upstream mode.
   */
  WECOM_PROVIDER_CORPID: z.string().min(1).optional(),
  /**
   * SuiteId of the third-party (or 代开发) app of the same provider that the display component,
   * JS-SDK `config`/`agentConfig` signatures, jsapi tickets and `agentId` need (docs/upstream.md §8.3).
   * Default in embedded mode: the demo display app; required in upstream mode.
   */
  WECOM_DISPLAY_SUITE_ID: z.string().min(1).optional(),
  /** Secret of the display app. Default in embedded mode: the demo secret; required in upstream mode. */
  WECOM_DISPLAY_SUITE_SECRET: z.string().min(1).optional(),
  /** Callback Token of the display app when it differs from WECOM_CALLBACK_TOKEN. Default: the same. */
  WECOM_DISPLAY_CALLBACK_TOKEN: z.string().min(1).optional(),
  /** Callback EncodingAESKey of the display app when it differs. Default: WECOM_CALLBACK_AES_KEY. */
  WECOM_DISPLAY_CALLBACK_AES_KEY: aesKey.optional(),
  /**
   * `on` keeps the CUSTOM analysis path (specapi/create_job, the 数据分析专区 HTTP API). Default
   * `off`: WeCom took specapi offline on 2024-06-06 (docs/upstream.md §8.6), so the call can only fail.
   */
  WECOM_SPECAPI: z.enum(['on', 'off']).default('off'),
  /** RSA padding of `encrypted_secret_key`: pkcs1 (default, PKCS#1 v1.5) or oaep. */
  WECOM_RSA_PADDING: z.enum(['pkcs1', 'oaep']).default('pkcs1'),
  /**
   * How `encrypted_secret_key` is RSA-decrypted. Default `forge`: node-forge (a maintained
   * library; Node 20 refuses PKCS#1 v1.5 private decryption) on worker threads, since its pure-JS
   * RSA takes ~46 ms per message and would block the event loop. `native`: node:crypto raw RSA
   * plus our own v1.5 unpadding, ~60× faster on the request thread; opt in for very high
   * display-key throughput.
   */
  WECOM_RSA_DECRYPT: z.enum(['forge', 'native']).default('forge'),
  /**
   * Worker threads for `WECOM_RSA_DECRYPT=forge`. Default min(2, available CPUs): enough for
   * ~40 decrypts/s (a cached result costs nothing) while leaving cores for the event loop.
   */
  RSA_DECRYPT_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  /**
   * PostgreSQL URL: the store of record (corps, keys, cursors, the archive, hits, tasks,
   * statistics, alerts). Unset → memory stores (embedded demo only; required with WECOM_API_BASE).
   * libpq options pass through, e.g. `?options=-c%20search_path%3Dwag` for a schema of its own.
   */
  DATABASE_URL: z.string().min(1).optional(),
  /** Connections per process in the PostgreSQL pool. Default 10. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * Redis URL: coordination only (token caches, leases, the callback inbox, pub/sub, rate
   * limits); losing it loses nothing durable. Unset → in-process coordination (single replica).
   */
  REDIS_URL: z.string().min(1).optional(),
  /**
   * Redis Cluster seed nodes, `host:port,host:port,…` (instead of REDIS_URL); the client finds
   * the other nodes itself. Default unset.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, 'must be host:port[,host:port…]')
    .optional(),
  /**
   * Prefix of every Redis key and channel. Default `wag:`. No `{` or `}`: a hash tag in the
   * prefix would put every key of the deployment in one cluster slot.
   */
  REDIS_PREFIX: z
    .string()
    .min(1)
    .refine((p) => !/[{}]/.test(p), {
      error: (issue) => `must not contain { or } (a cluster hash tag), got ${JSON.stringify(issue.input)}`,
    })
    .default('wag:'),
  /** Encrypts permanent codes and private keys at rest. Required outside embedded mode. */
  GATEWAY_MASTER_KEY: z.string().min(16).optional(),
  /** API clients: JSON, or `@path` to a JSON file. Default in embedded mode: one demo client. */
  GATEWAY_CLIENTS: z.string().min(1).optional(),
  /** Deadline of one upstream HTTP call, ms. Default 8000. */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(8000),
  /**
   * Retries of a retryable upstream failure (-1, 45033, 5xx, timeout). Default 2. Calls that
   * change state upstream are never retried after a timeout or a dropped connection
   * (src/datasources/wecom/upstreamCallKinds.ts).
   */
  UPSTREAM_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  /**
   * How long calls to one (corp, API) fail fast after WeCom answered 45009, seconds, counted
   * from the hit. Default 60 (WeCom's minute block, docs/upstream.md §8.8); lower it only in tests.
   */
  UPSTREAM_RATE_LIMIT_BLOCK_S: z.coerce.number().positive().default(60),
  /** Refresh a cached token this many seconds before `expires_in` runs out. Default 300 s. */
  TOKEN_REFRESH_MARGIN_S: z.coerce.number().int().min(0).default(300),
  /** Reject callbacks whose timestamp is further than this from now, seconds. Default 300 s. */
  CALLBACK_MAX_SKEW_S: z.coerce.number().int().positive().default(300),
  /** Simulator port in embedded mode. Default 4100. */
  SIM_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  /** Seed of the simulator's demo data in embedded mode. Default 42. */
  SIM_SEED: z.coerce.number().int().default(42),
  /** Live demo messages per second in embedded mode; 0 turns live traffic off. Default 0.5. */
  SIM_MESSAGE_RATE: z.coerce.number().min(0).default(0.5),
  /** Messages kept in the index, days (WeCom itself keeps 5). Default 30. */
  INDEX_RETENTION_DAYS: z.coerce.number().positive().default(30),
  /** sync_msg page size (WeCom's maximum is 1000). Default 1000. */
  SYNC_PAGE_LIMIT: z.coerce.number().int().min(1).max(1000).default(1000),
  /** Lease of the per-corp sync lock, ms; renewed at a third of it while a sync runs. Default 30000. */
  SYNC_LEASE_MS: z.coerce.number().int().min(1000).default(30_000),
  /** How often the watchdog looks at every corp, seconds. Default 30. */
  SYNC_WATCHDOG_INTERVAL_S: z.coerce.number().positive().default(30),
  /**
   * A corp with no sync for this long gets a token-less catch-up poll, seconds. Token-less
   * sync_msg calls are strictly rate-limited upstream, so keep this ≥ 60. Default 120.
   */
  SYNC_STALL_S: z.coerce.number().positive().default(120),
  /** Workers taking callback events from the inbox per process. Default 4. */
  INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * An inbox event that failed transiently (45009, 45033, -1, timeout, 5xx) or whose worker died
   * is handed out again after this long, seconds. Default 30.
   */
  INGEST_REDELIVER_S: z.coerce.number().positive().default(30),
  /** Silence after which a chat's next message starts a new conversation (statistics), seconds. Default 28800 (8 h). */
  STATS_CONVERSATION_GAP_S: z.coerce.number().int().positive().default(28_800),
  /**
   * Statistics counters and the daily message rollup are kept this long after their hour/day ends,
   * days (≥ the 92-day query window); an hourly pass deletes older ones. Default 100.
   */
  STATS_RETENTION_DAYS: z.coerce.number().positive().default(100),
  /** How often every replica checks reply-time deadlines, seconds. Default 15. */
  ALERTS_INTERVAL_S: z.coerce.number().positive().default(15),
  /**
   * Agent id of the authorized app for the JS-SDK `agentConfig` when a corp's authorization did
   * not carry one (get_permanent_code auth_info.agent). Default: unset (agentId null).
   */
  WECOM_AGENT_ID: z.coerce.number().int().positive().optional(),
  /**
   * Base URL of a WeCom simulator whose `/__sim/render` the /console shows message content with.
   * Default: the embedded simulator in embedded mode; unset (no content preview) otherwise.
   */
  CONSOLE_SIMULATOR_URL: z.url().optional(),
  /**
   * `on`: /graphql also speaks the Federation v2 subgraph protocol (`_service { sdl }`,
   * `_entities`), so a supergraph router (Hive Gateway, Apollo Router, Cosmo) can compose this
   * graph. Subscriptions stay on this gateway's own endpoint. Default off.
   */
  GRAPHQL_FEDERATION: z.enum(['on', 'off']).default('off'),
  /** pino level. Default info: onboarding, slow or failed syncs, the periodic summary, problems. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * A sync that indexed new messages is logged at info only when it took at least this long
   * (milliseconds); quicker ones at debug, failures always at warn. Default 5000.
   */
  LOG_SLOW_SYNC_MS: z.coerce.number().int().min(0).default(5000),
  /**
   * Period of the info-level activity summary (messages indexed per corp, GraphQL operations,
   * upstream calls and errors), in seconds; a quiet period logs nothing; 0 turns it off. Default 300.
   */
  LOG_SUMMARY_INTERVAL_S: z.coerce.number().min(0).default(300),
  /** Show internal error details to clients. Default: off unless NODE_ENV=development. */
  EXPOSE_ERRORS: boolish.optional(),
  NODE_ENV: z.string().default('production'),
  /**
   * OTLP/HTTP base URL of a trace collector, e.g. `http://otel-collector:4318`; spans go to
   * `<url>/v1/traces`. Unset (default) → tracing off: no OpenTelemetry SDK is loaded.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
  /** `service.name` of every span. Default `wecom-archive-gateway`. */
  OTEL_SERVICE_NAME: z.string().min(1).default('wecom-archive-gateway'),
  /** OTLP encoding: `http/protobuf` (default, what the spec defaults to) or `http/json`; gRPC is not shipped. */
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json']).default('http/protobuf'),
  ...protectionEnv,
});

export type Config = {
  port: number;
  host: string;
  /** `embedded`: simulator in-process; `upstream`: a real (or external) WeCom host. */
  mode: 'embedded' | 'upstream';
  /** Set in upstream mode; in embedded mode app.ts fills it with the simulator's URL. */
  wecomApiBase: string | undefined;
  /** The 「会话存档接口授权」 app: every archive API. */
  suite: SuiteConfig;
  /** The provider's own corpid: receiveid of the URL verification. */
  providerCorpId: string;
  /** The third-party / 代开发 app behind the display component and JS-SDK signatures. */
  displaySuite: SuiteConfig;
  /** CUSTOM analysis through specapi (offline upstream since 2024-06-06). */
  specapi: boolean;
  rsaPadding: 'pkcs1' | 'oaep';
  /** `workers` undefined → the pool's default, min(2, available CPUs). */
  rsaDecrypt: { kind: 'forge' | 'native'; workers: number | undefined };
  /** `clusterNodes` set → a Redis Cluster (then `url` is undefined). */
  redis: { url: string | undefined; clusterNodes: { host: string; port: number }[] | null; prefix: string };
  database: { url: string | undefined; poolMax: number };
  masterKey: string;
  clients: ClientConfig[];
  upstream: { timeoutMs: number; retries: number; tokenRefreshMarginS: number; rateLimitBlockMs: number };
  callbackMaxSkewS: number;
  ingest: {
    retentionDays: number;
    pageLimit: number;
    leaseMs: number;
    watchdogIntervalS: number;
    stallS: number;
    concurrency: number;
    redeliverMs: number;
  };
  stats: { conversationGapS: number; retentionDays: number; alertIntervalS: number };
  sim: { port: number; seed: number; messageRate: number };
  /** Display component: agentId fallback; simulator base for the console's content preview. */
  display: { agentId: number | null; consoleSimulatorUrl: string | null };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** LOG_SLOW_SYNC_MS and LOG_SUMMARY_INTERVAL_S. */
  logging: { slowSyncMs: number; summaryIntervalS: number };
  exposeErrors: boolean;
  live: { sharedSubscriptions: boolean; maxQueue: number };
  protection: ProtectionConfig;
  /** null → tracing off. */
  tracing: TracingConfig | null;
  /** Serve the Federation v2 subgraph protocol on /graphql. */
  federation: boolean;
};

/**
 * OpenTelemetry tracing. The SDK itself still reads the other standard `OTEL_*` variables it
 * knows (sampler `OTEL_TRACES_SAMPLER`, batching `OTEL_BSP_*`, `OTEL_RESOURCE_ATTRIBUTES`, …).
 */
export type TracingConfig = {
  endpoint: string;
  serviceName: string;
  protocol: 'http/protobuf' | 'http/json';
};

export type SuiteConfig = {
  suiteId: string;
  suiteSecret: string;
  callbackToken: string;
  callbackAesKey: string;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads a JSON value inline or from `@path`. */
function readJsonOption(raw: string, readFile: (path: string) => string): unknown {
  const text = raw.startsWith('@') ? readFile(raw.slice(1)) : raw;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`GATEWAY_CLIENTS is not valid JSON: ${(error as Error).message}`);
  }
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  readFile: (path: string) => string = defaultReadFile,
): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${details}`);
  }
  const e = parsed.data;
  const mode = e.WECOM_API_BASE ? 'upstream' : 'embedded';

  if (mode === 'upstream' && !e.DATABASE_URL) {
    throw new ConfigError(
      'DATABASE_URL is required when WECOM_API_BASE is set: PostgreSQL is the store of record (postgres://user@host:5432/db)',
    );
  }
  if (e.REDIS_URL && e.REDIS_CLUSTER_NODES) {
    throw new ConfigError('set REDIS_URL (one node) or REDIS_CLUSTER_NODES (a cluster), not both');
  }
  if (mode === 'upstream' && !e.GATEWAY_MASTER_KEY) {
    throw new ConfigError('GATEWAY_MASTER_KEY is required when WECOM_API_BASE is set (16+ characters)');
  }
  const apps = appsFrom(e, mode);
  let clients: ClientConfig[];
  if (e.GATEWAY_CLIENTS) {
    const result = z.array(clientSchema).min(1).safeParse(readJsonOption(e.GATEWAY_CLIENTS, readFile));
    if (!result.success) {
      const details = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new ConfigError(`GATEWAY_CLIENTS: ${details}`);
    }
    clients = result.data;
  } else if (mode === 'embedded') {
    clients = [{ id: 'demo', key: DEMO_CLIENT_KEY, corps: ['*'], scopes: [...SCOPES] }];
  } else {
    throw new ConfigError('GATEWAY_CLIENTS is required when WECOM_API_BASE is set');
  }

  return {
    port: e.PORT,
    host: e.HOST,
    mode,
    wecomApiBase: e.WECOM_API_BASE?.replace(/\/+$/, ''),
    ...apps,
    specapi: e.WECOM_SPECAPI === 'on',
    rsaPadding: e.WECOM_RSA_PADDING,
    rsaDecrypt: { kind: e.WECOM_RSA_DECRYPT, workers: e.RSA_DECRYPT_WORKERS },
    database: { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX },
    redis: {
      url: e.REDIS_URL,
      clusterNodes:
        e.REDIS_CLUSTER_NODES?.split(',').map((node) => {
          const at = node.lastIndexOf(':');
          return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
        }) ?? null,
      prefix: e.REDIS_PREFIX,
    },
    masterKey: e.GATEWAY_MASTER_KEY ?? DEMO_MASTER_KEY,
    clients,
    upstream: {
      timeoutMs: e.UPSTREAM_TIMEOUT_MS,
      retries: e.UPSTREAM_RETRIES,
      tokenRefreshMarginS: e.TOKEN_REFRESH_MARGIN_S,
      rateLimitBlockMs: e.UPSTREAM_RATE_LIMIT_BLOCK_S * 1000,
    },
    callbackMaxSkewS: e.CALLBACK_MAX_SKEW_S,
    ingest: {
      retentionDays: e.INDEX_RETENTION_DAYS,
      pageLimit: e.SYNC_PAGE_LIMIT,
      leaseMs: e.SYNC_LEASE_MS,
      watchdogIntervalS: e.SYNC_WATCHDOG_INTERVAL_S,
      stallS: e.SYNC_STALL_S,
      concurrency: e.INGEST_CONCURRENCY,
      redeliverMs: e.INGEST_REDELIVER_S * 1000,
    },
    stats: {
      conversationGapS: e.STATS_CONVERSATION_GAP_S,
      retentionDays: e.STATS_RETENTION_DAYS,
      alertIntervalS: e.ALERTS_INTERVAL_S,
    },
    sim: { port: e.SIM_PORT, seed: e.SIM_SEED, messageRate: e.SIM_MESSAGE_RATE },
    display: {
      agentId: e.WECOM_AGENT_ID ?? null,
      consoleSimulatorUrl: e.CONSOLE_SIMULATOR_URL?.replace(/\/+$/, '') ?? null,
    },
    logLevel: e.LOG_LEVEL,
    logging: { slowSyncMs: e.LOG_SLOW_SYNC_MS, summaryIntervalS: e.LOG_SUMMARY_INTERVAL_S },
    exposeErrors: e.EXPOSE_ERRORS ?? e.NODE_ENV === 'development',
    live: { sharedSubscriptions: e.SUBSCRIPTIONS_SHARED ?? true, maxQueue: e.SUBSCRIBER_MAX_QUEUE },
    protection: protectionFrom(e, mode, readFile),
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT
      ? {
          endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
          serviceName: e.OTEL_SERVICE_NAME,
          protocol: e.OTEL_EXPORTER_OTLP_PROTOCOL,
        }
      : null,
    federation: e.GRAPHQL_FEDERATION === 'on',
  };
}

type Env = z.infer<typeof envSchema>;

/**
 * The two apps and the provider corpid. Embedded mode fills what is unset with the demo values
 * the simulator also uses. Upstream mode refuses to start without real values: with the demo
 * callback Token and AESKey anyone who read this repository can sign callbacks (one forged
 * cancel_auth once purged a corp's archive), and a demo secret cannot work upstream anyway.
 */
function appsFrom(e: Env, mode: Config['mode']): Pick<Config, 'suite' | 'providerCorpId' | 'displaySuite'> {
  const demo = mode === 'embedded';
  const problems: string[] = [];
  const secret = (name: keyof Env, value: string | undefined, demoValue: string): string => {
    if (demo) return value ?? demoValue;
    if (value === undefined) problems.push(`${name} is required when WECOM_API_BASE is set`);
    else if (value === demoValue)
      problems.push(`${name} must not be the demo value when WECOM_API_BASE is set, got the demo value`);
    return value ?? demoValue;
  };
  const suite: SuiteConfig = {
    suiteId: e.WECOM_SUITE_ID,
    suiteSecret: secret('WECOM_SUITE_SECRET', e.WECOM_SUITE_SECRET, DEMO_SUITE.suiteSecret),
    callbackToken: secret('WECOM_CALLBACK_TOKEN', e.WECOM_CALLBACK_TOKEN, DEMO_SUITE.callbackToken),
    callbackAesKey: secret('WECOM_CALLBACK_AES_KEY', e.WECOM_CALLBACK_AES_KEY, DEMO_SUITE.callbackAesKey),
  };
  const providerCorpId = secret('WECOM_PROVIDER_CORPID', e.WECOM_PROVIDER_CORPID, DEMO_PROVIDER_CORPID);
  const displaySuite: SuiteConfig = {
    suiteId: secret('WECOM_DISPLAY_SUITE_ID', e.WECOM_DISPLAY_SUITE_ID, DEMO_DISPLAY_SUITE.suiteId),
    suiteSecret: secret(
      'WECOM_DISPLAY_SUITE_SECRET',
      e.WECOM_DISPLAY_SUITE_SECRET,
      DEMO_DISPLAY_SUITE.suiteSecret,
    ),
    // "Same callback crypto unless set apart": one Token/AESKey pair may serve both apps.
    callbackToken: e.WECOM_DISPLAY_CALLBACK_TOKEN ?? suite.callbackToken,
    callbackAesKey: e.WECOM_DISPLAY_CALLBACK_AES_KEY ?? suite.callbackAesKey,
  };
  if (!demo) {
    if (displaySuite.callbackToken === DEMO_SUITE.callbackToken)
      problems.push('WECOM_DISPLAY_CALLBACK_TOKEN must not be the demo value when WECOM_API_BASE is set');
    if (displaySuite.callbackAesKey === DEMO_SUITE.callbackAesKey)
      problems.push('WECOM_DISPLAY_CALLBACK_AES_KEY must not be the demo value when WECOM_API_BASE is set');
  }
  if (displaySuite.suiteId === suite.suiteId) {
    problems.push(
      `WECOM_DISPLAY_SUITE_ID must differ from WECOM_SUITE_ID (two apps), got ${suite.suiteId} for both`,
    );
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return { suite, providerCorpId, displaySuite };
}

function defaultReadFile(path: string): string {
  return readFileSync(path, 'utf8');
}

export type ProtectionConfig = {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  /** 0 = off. */
  maxCost: number;
  maxBodyBytes: number;
  introspection: boolean;
  csrf: boolean;
  persisted: { mode: 'off' | 'log' | 'enforce'; operations: Record<string, string> };
  /** `max` 0 = off. */
  rateLimit: { max: number; windowS: number };
  breaker: {
    failures: number;
    failureRatePercent: number;
    minCalls: number;
    windowMs: number;
    cooldownMs: number;
  };
  shutdownGraceMs: number;
};

function protectionFrom(e: Env, mode: Config['mode'], readFile: (path: string) => string): ProtectionConfig {
  return {
    maxDepth: e.GRAPHQL_MAX_DEPTH,
    maxAliases: e.GRAPHQL_MAX_ALIASES,
    maxTokens: e.GRAPHQL_MAX_TOKENS,
    maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
    maxCost: e.GRAPHQL_MAX_COST,
    maxBodyBytes: e.GRAPHQL_MAX_BODY_BYTES,
    introspection: e.GRAPHQL_INTROSPECTION ?? mode === 'embedded',
    csrf: e.GRAPHQL_CSRF ?? true,
    persisted: {
      mode: e.PERSISTED_OPERATIONS,
      operations:
        e.PERSISTED_OPERATIONS === 'off' ? {} : persistedOperations(e.PERSISTED_OPERATIONS_FILE, readFile),
    },
    rateLimit: { max: e.RATE_LIMIT_MAX, windowS: e.RATE_LIMIT_WINDOW_S },
    breaker: {
      failures: e.BREAKER_FAILURES,
      failureRatePercent: e.BREAKER_FAILURE_RATE,
      minCalls: e.BREAKER_MIN_CALLS,
      windowMs: e.BREAKER_WINDOW_S * 1000,
      cooldownMs: e.BREAKER_COOLDOWN_S * 1000,
    },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
  };
}

/** `{hash: document}` as given, or `[document, …]` keyed by the SHA-256 hex of each document. */
function persistedOperations(
  file: string | undefined,
  readFile: (path: string) => string,
): Record<string, string> {
  if (!file)
    throw new ConfigError(
      'PERSISTED_OPERATIONS_FILE is required when PERSISTED_OPERATIONS is log or enforce',
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFile(file));
  } catch (error) {
    throw new ConfigError(`PERSISTED_OPERATIONS_FILE ${file}: ${(error as Error).message}`);
  }
  const result = z
    .union([z.array(z.string().min(1)), z.record(z.string().regex(/^[0-9a-f]{64}$/), z.string().min(1))])
    .safeParse(parsed);
  if (!result.success) {
    throw new ConfigError(
      `PERSISTED_OPERATIONS_FILE ${file} must be {"<sha256 hex>": "<document>"} or ["<document>", …]`,
    );
  }
  if (!Array.isArray(result.data)) return result.data;
  return Object.fromEntries(result.data.map((doc) => [createHash('sha256').update(doc).digest('hex'), doc]));
}
