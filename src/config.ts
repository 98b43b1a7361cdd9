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
  /** pino level. Default info. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Show internal error details to clients. Default: off unless NODE_ENV=development. */
  EXPOSE_ERRORS: boolish.optional(),
  NODE_ENV: z.string().default('production'),
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
  sim: { port: number; seed: number; messageRate: number };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  exposeErrors: boolean;
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
    sim: { port: e.SIM_PORT, seed: e.SIM_SEED, messageRate: e.SIM_MESSAGE_RATE },
    logLevel: e.LOG_LEVEL,
    exposeErrors: e.EXPOSE_ERRORS ?? e.NODE_ENV === 'development',
  };
}

function defaultReadFile(path: string): string {
  return readFileSync(path, 'utf8');
}
