import { z } from 'zod';

/**
 * Every environment variable the gateway reads, with its default and unit: the schema
 * `loadConfig` parses `process.env` with (long because each variable is documented here).
 */
export const SCOPES = [
  'corp:read',
  'content:display',
  'rules:write',
  'analysis:write',
  'export:write',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

export const clientSchema = z.object({
  id: z.string().min(1),
  /** Plain key or `sha256:<hex>` of it. */
  key: z.string().min(1),
  /** Corp ids this client may see; `"*"` for all. */
  corps: z.array(z.string().min(1)).min(1),
  scopes: z.array(z.enum(SCOPES)),
});
export type ClientConfig = z.infer<typeof clientSchema>;

/** The display app's kinds: a third-party app, or a 代开发 (customized) app. */
export const DISPLAY_APP_KINDS = ['third_party', 'customized'] as const;
export type DisplayAppKind = (typeof DISPLAY_APP_KINDS)[number];

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

export const envSchema = z.object({
  /** HTTP port of the gateway. Default 4000; 0 picks a free port. */
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Interface to listen on. Default 127.0.0.1 (set 0.0.0.0 in containers). */
  HOST: z.string().default('127.0.0.1'),
  /** Base URL of the WeCom API. Unset → embedded mode: the simulator runs in-process. */
  WECOM_API_BASE: z.url().optional(),
  /**
   * SuiteId of the 「会话存档接口授权」 app. Default in embedded mode: the demo suite; required (and
   * not the demo one) in upstream mode.
   */
  WECOM_SUITE_ID: z.string().min(1).optional(),
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
   * Default in embedded mode: the demo display app; required (and not the demo one) in upstream mode.
   */
  WECOM_DISPLAY_SUITE_ID: z.string().min(1).optional(),
  /**
   * What kind of app the display app is (docs/upstream.md §1.3): `third_party` (default), whose
   * corp token comes from `service/get_corp_token` with its suite token and the corp's permanent
   * code; or `customized` (a 代开发 app), whose corp token comes from `GET /cgi-bin/gettoken` with
   * the corp's permanent code as `corpsecret`. Suite ticket, suite token and permanent code are the
   * same for both. Default third_party, in embedded mode too.
   */
  WECOM_DISPLAY_APP_KIND: z
    .enum(DISPLAY_APP_KINDS, {
      error: (issue) =>
        `must be third_party (a third-party app) or customized (a 代开发 app), got ${JSON.stringify(issue.input)}`,
    })
    .default('third_party'),
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
  /**
   * With PostgreSQL, each replica caches corp records and the newest message pages and counts;
   * a change made by any replica drops them everywhere through Redis pub/sub at once, and an
   * entry is never served longer than this after it was read (the bound when an invalidation is
   * lost), ms. 0 turns the cache off. Default 1000.
   */
  READ_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** Messages the read cache holds at most per replica (a page weighs its messages + 1). Default 20000. */
  READ_CACHE_MAX_MESSAGES: z.coerce.number().int().min(1).default(20_000),
  /**
   * Statistics fold a corp's new messages when its sync drain ends; during a longer drain (a
   * backlog catch-up) at least this often, seconds. Default 5.
   */
  STATS_MAX_LAG_S: z.coerce.number().positive().default(5),
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

export type Env = z.infer<typeof envSchema>;
