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
  /** Suite secret. Default: the demo secret. */
  WECOM_SUITE_SECRET: z.string().min(1).default(DEMO_SUITE.suiteSecret),
  /** Callback Token (signature key). Default: the demo token. */
  WECOM_CALLBACK_TOKEN: z.string().min(1).default(DEMO_SUITE.callbackToken),
  /** Callback EncodingAESKey, 43 chars of [a-zA-Z0-9]. Default: the demo key. */
  WECOM_CALLBACK_AES_KEY: z
    .string()
    .regex(/^[a-zA-Z0-9]{43}$/, 'must be 43 characters of [a-zA-Z0-9]')
    .default(DEMO_SUITE.callbackAesKey),
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
  /** Redis URL. Unset → in-memory stores (single replica only). */
  REDIS_URL: z.string().min(1).optional(),
  /** Prefix of every Redis key and channel. Default `wag:`. */
  REDIS_PREFIX: z.string().min(1).default('wag:'),
  /** Encrypts permanent codes and private keys at rest. Required outside embedded mode. */
  GATEWAY_MASTER_KEY: z.string().min(16).optional(),
  /** API clients: JSON, or `@path` to a JSON file. Default in embedded mode: one demo client. */
  GATEWAY_CLIENTS: z.string().min(1).optional(),
  /** Deadline of one upstream HTTP call, ms. Default 8000. */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(8000),
  /** Retries of a retryable upstream failure (-1, 45033, 5xx, timeout). Default 2. */
  UPSTREAM_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
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
  /** Silence after which a chat's next message starts a new conversation (statistics), seconds. Default 28800 (8 h). */
  STATS_CONVERSATION_GAP_S: z.coerce.number().int().positive().default(28_800),
  /** Statistics counters are kept this long after their hour/day ends, days (≥ the 92-day query window). Default 100. */
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
  ...protectionEnv,
});

export type Config = {
  port: number;
  host: string;
  /** `embedded`: simulator in-process; `upstream`: a real (or external) WeCom host. */
  mode: 'embedded' | 'upstream';
  /** Set in upstream mode; in embedded mode app.ts fills it with the simulator's URL. */
  wecomApiBase: string | undefined;
  suite: { suiteId: string; suiteSecret: string; callbackToken: string; callbackAesKey: string };
  rsaPadding: 'pkcs1' | 'oaep';
  /** `workers` undefined → the pool's default, min(2, available CPUs). */
  rsaDecrypt: { kind: 'forge' | 'native'; workers: number | undefined };
  redis: { url: string | undefined; prefix: string };
  masterKey: string;
  clients: ClientConfig[];
  upstream: { timeoutMs: number; retries: number; tokenRefreshMarginS: number };
  callbackMaxSkewS: number;
  ingest: {
    retentionDays: number;
    pageLimit: number;
    leaseMs: number;
    watchdogIntervalS: number;
    stallS: number;
    concurrency: number;
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

  if (mode === 'upstream' && !e.GATEWAY_MASTER_KEY) {
    throw new ConfigError('GATEWAY_MASTER_KEY is required when WECOM_API_BASE is set (16+ characters)');
  }
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
    suite: {
      suiteId: e.WECOM_SUITE_ID,
      suiteSecret: e.WECOM_SUITE_SECRET,
      callbackToken: e.WECOM_CALLBACK_TOKEN,
      callbackAesKey: e.WECOM_CALLBACK_AES_KEY,
    },
    rsaPadding: e.WECOM_RSA_PADDING,
    rsaDecrypt: { kind: e.WECOM_RSA_DECRYPT, workers: e.RSA_DECRYPT_WORKERS },
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    masterKey: e.GATEWAY_MASTER_KEY ?? DEMO_MASTER_KEY,
    clients,
    upstream: {
      timeoutMs: e.UPSTREAM_TIMEOUT_MS,
      retries: e.UPSTREAM_RETRIES,
      tokenRefreshMarginS: e.TOKEN_REFRESH_MARGIN_S,
    },
    callbackMaxSkewS: e.CALLBACK_MAX_SKEW_S,
    ingest: {
      retentionDays: e.INDEX_RETENTION_DAYS,
      pageLimit: e.SYNC_PAGE_LIMIT,
      leaseMs: e.SYNC_LEASE_MS,
      watchdogIntervalS: e.SYNC_WATCHDOG_INTERVAL_S,
      stallS: e.SYNC_STALL_S,
      concurrency: e.INGEST_CONCURRENCY,
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
  };
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

function protectionFrom(
  e: z.infer<typeof envSchema>,
  mode: Config['mode'],
  readFile: (path: string) => string,
): ProtectionConfig {
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
