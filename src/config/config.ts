import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { appsFrom, type SuiteConfig } from './appsFrom.js';
import { ConfigError } from './ConfigError.js';
import { DEMO_CLIENT_KEY, DEMO_MASTER_KEY } from './demoDefaults.js';
import { type ClientConfig, clientSchema, type DisplayAppKind, envSchema, SCOPES } from './envSchema.js';
import { type ProtectionConfig, protectionFrom } from './protectionFrom.js';

export { DEMO_DISPLAY_SUITE, DEMO_PROVIDER_CORPID, DEMO_SUITE } from './demoDefaults.js';
export type { ClientConfig, DisplayAppKind, Scope } from './envSchema.js';
export { SCOPES } from './envSchema.js';
export type { ProtectionConfig, SuiteConfig };
export { ConfigError };

/**
 * The only reader of `process.env` in the gateway. Every option documents its env variable,
 * its default and its unit (in `envSchema.ts`). Values are passed down; nothing else reads the
 * environment.
 */
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
  /** How the display app gets a corp token: get_corp_token (third_party) or gettoken (customized, 代开发). */
  displayAppKind: DisplayAppKind;
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
  readCache: { ttlMs: number; maxMessages: number };
  stats: { conversationGapS: number; retentionDays: number; alertIntervalS: number; maxLagS: number };
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
    readCache: { ttlMs: e.READ_CACHE_TTL_MS, maxMessages: e.READ_CACHE_MAX_MESSAGES },
    stats: {
      conversationGapS: e.STATS_CONVERSATION_GAP_S,
      retentionDays: e.STATS_RETENTION_DAYS,
      alertIntervalS: e.ALERTS_INTERVAL_S,
      maxLagS: e.STATS_MAX_LAG_S,
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

function defaultReadFile(path: string): string {
  return readFileSync(path, 'utf8');
}
