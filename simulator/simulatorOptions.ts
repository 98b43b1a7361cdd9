/**
 * Every knob of the simulator. Facts docs/upstream.md marks [I] (inferred) each get an option, so a test
 * or an operator can flip the simulator to the other plausible reading of the upstream.
 */
export type HasMoreMode = 'contract' | 'int' | 'bool';
export type UserIdField = 'open_userid' | 'userid';
export type RsaPadding = 'pkcs1' | 'oaep';
export type DisplayAppKind = 'third_party' | 'customized';

export type SimulatorOptions = {
  /** Listen port; 0 picks a free one. Default 4100 (`SIM_PORT`). */
  port: number;
  /** Listen host. Default 127.0.0.1 (`SIM_HOST`). */
  host: string;
  /** Seed of the demo data (corps, people, chats, backlog). Default 42 (`SIM_SEED`). */
  seed: number;
  /** Simulator clock at start, unix ms. Default: the wall clock. Fix it to make message times reproducible. */
  startTimeMs: number | null;
  /** Number of demo corps. Default 3. */
  corpCount: number;
  /** Live demo messages per second over all corps; 0 = off. Default 0.5 (`SIM_MESSAGE_RATE`). */
  messageRate: number;
  /** Where callbacks go. Default http://127.0.0.1:4000/wecom/callback (`SIM_CALLBACK_URL`). */
  callbackUrl: string;
  /** Attempts per callback. [I] retry policy is undocumented. Default 3 (`SIM_CALLBACK_TRIES`). */
  callbackTries: number;
  /** Per-attempt deadline of a callback POST, ms. WeCom expects an answer within 1000 ms. Default 1000. */
  callbackTimeoutMs: number;
  /** Pause between callback attempts, ms. [I] Default 1000. */
  callbackRetryDelayMs: number;
  /** conversation_new_message batching per corp, ms. [I] (legacy msgaudit batches 15 s). Default 2000 (`SIM_NEW_MESSAGE_BATCH_MS`). */
  newMessageBatchMs: number;
  /** Period of the suite_ticket push, ms. Default 600000 (10 min) (`SIM_SUITE_TICKET_INTERVAL_MS`). */
  suiteTicketIntervalMs: number;
  /** Lifetime of suite and corp access tokens, seconds. Default 7200 (`SIM_TOKEN_TTL_S`). */
  tokenTtlS: number;
  /** `has_more` type. contract: bool on sync_msg, get_auth_user_list and keyword/get_rule_list, int 0/1 elsewhere, as the official examples. [I] (`SIM_HAS_MORE`) */
  hasMore: HasMoreMode;
  /** Employee id field name in agree-status and auth-user payloads. [I] Default open_userid (`SIM_USERID_FIELD`). */
  userIdField: UserIdField;
  /** RSA padding of encrypted_secret_key. [I] Default pkcs1 (PKCS#1 v1.5) (`SIM_RSA_PADDING`). */
  rsaPadding: RsaPadding;
  /** Calls per corp per API per minute before 45009. Default 10000 (`SIM_RATE_PER_MINUTE`). */
  ratePerMinute: number;
  /** Calls per corp per API per hour before 45009. Default 150000 (`SIM_RATE_PER_HOUR`). */
  ratePerHour: number;
  /** In-flight calls per corp per API before 45033. [I] threshold unpublished. Default 20 (`SIM_CONCURRENCY`). */
  concurrency: number;
  /**
   * Largest sync_msg / get_hit_msg_list answer (its msg_list as JSON), bytes; a page over it is
   * refused with 301058 "lower limit" (docs/upstream.md §8.7). [I] size unpublished. Default 8 MiB
   * (`SIM_SYNC_MAX_RESPONSE_BYTES`): 1000 records never reach it.
   */
  syncMaxResponseBytes: number;
  /** "Strict" per-minute limit of sync_msg / get_hit_msg_list without a callback token. [I] Default 6 (`SIM_TOKENLESS_SYNC_PER_MINUTE`). */
  tokenlessSyncPerMinute: number;
  /** Seeded backlog messages per corp over the last 5 days. Default 1200 (`SIM_BACKLOG_PER_CORP`). */
  backlogPerCorp: number;
  /** Time an analysis job runs after submit, ms of simulator clock. [I] Default 1500 (`SIM_ANALYSIS_MS`). */
  analysisMs: number;
  /** Export job: waiting then running phases, ms of simulator clock each. [I] Default 500 each (`SIM_EXPORT_PHASE_MS`). */
  exportPhaseMs: number;
  /** Export jobs per corp per day before 45009. Default 1000. */
  exportJobsPerDay: number;
  /** Validity of callback tokens (conversation_new_message, hit_keyword), seconds. Default 600. */
  callbackTokenTtlS: number;
  /** Lifetime of jsapi tickets (corp `get_jsapi_ticket` and app `ticket/get?type=agent_config`), seconds. Default 7200 (`SIM_JSAPI_TICKET_TTL_S`). */
  jsapiTicketTtlS: number;
  /** Corp jsapi tickets per corp per hour before 45009 (WeCom: 400). Default 400. */
  jsapiTicketsPerHour: number;
  /** App (agent_config) tickets per corp per hour before 45009 (WeCom: 100 per app). Default 100. */
  agentTicketsPerHour: number;
  /** Data-zone (specapi) job: initialised, then running, phases of this many ms of simulator clock each. [I] Default 500 (`SIM_SPECAPI_PHASE_MS`). */
  specapiPhaseMs: number;
  /** Unfinished specapi jobs per provider before create_job answers 45033 (docs/upstream.md §2.3: 10). Default 10. */
  specapiConcurrency: number;
  /** Suite id (callback receiveid). Default the demo suite (`WECOM_SUITE_ID`). */
  suiteId: string;
  /** Suite secret. Default the demo secret (`WECOM_SUITE_SECRET`). */
  suiteSecret: string;
  /** Callback signature token. Default the demo token (`WECOM_CALLBACK_TOKEN`). */
  callbackToken: string;
  /** Callback EncodingAESKey (43 chars). Default the demo key (`WECOM_CALLBACK_AES_KEY`). */
  callbackAesKey: string;
  /**
   * The provider's own corpid: the receiveid of the GET URL verification (docs/upstream.md §8.1).
   * Default the demo provider (`WECOM_PROVIDER_CORPID`).
   */
  providerCorpId: string;
  /** Suite id of the display app (third-party / 代开发, docs/upstream.md §8.3). Default the demo one (`WECOM_DISPLAY_SUITE_ID`). */
  displaySuiteId: string;
  /** Its secret. Default the demo one (`WECOM_DISPLAY_SUITE_SECRET`). */
  displaySuiteSecret: string;
  /**
   * What the display app is (docs/upstream.md §1.3): `third_party` gets corp tokens from
   * service/get_corp_token; `customized` (代开发) from `GET /cgi-bin/gettoken` with the corp's
   * permanent code as corpsecret, and its get_corp_token is refused (48001, [I]). Default
   * third_party (`WECOM_DISPLAY_APP_KIND`).
   */
  displayAppKind: DisplayAppKind;
  /** Its callback Token. Default: callbackToken (`WECOM_DISPLAY_CALLBACK_TOKEN`). */
  displayCallbackToken: string;
  /** Its EncodingAESKey. Default: callbackAesKey (`WECOM_DISPLAY_CALLBACK_AES_KEY`). */
  displayCallbackAesKey: string;
  /**
   * specapi (数据分析专区 over HTTP) went offline upstream on 2024-06-06 (docs/upstream.md §8.6): `offline`
   * answers every specapi call with the offline error; `online` runs the old job API. Default
   * offline (`SIM_SPECAPI`).
   */
  specapi: 'offline' | 'online';
};

/** Same literals as the gateway's DEMO_SUITE (src/config/config.ts), copied so the two never share code. */
export const DEMO_SUITE_VALUES = {
  suiteId: 'wwsuite0archive0demo',
  suiteSecret: 'demo-suite-secret-0123456789',
  callbackToken: 'demoCallbackToken',
  callbackAesKey: '9c0EhFLcOqGacHr0cm3KZn17mELvfIoL2e0k2THSA0a',
  providerCorpId: 'wwprovider0demo0corp',
  displaySuiteId: 'wwsuite0display0demo',
  displaySuiteSecret: 'demo-display-suite-secret-0123',
} as const;

export const DEFAULT_SIMULATOR_OPTIONS: SimulatorOptions = {
  port: 4100,
  host: '127.0.0.1',
  seed: 42,
  startTimeMs: null,
  corpCount: 3,
  messageRate: 0.5,
  callbackUrl: 'http://127.0.0.1:4000/wecom/callback',
  callbackTries: 3,
  callbackTimeoutMs: 1000,
  callbackRetryDelayMs: 1000,
  newMessageBatchMs: 2000,
  suiteTicketIntervalMs: 600_000,
  tokenTtlS: 7200,
  hasMore: 'contract',
  userIdField: 'open_userid',
  rsaPadding: 'pkcs1',
  ratePerMinute: 10_000,
  ratePerHour: 150_000,
  concurrency: 20,
  tokenlessSyncPerMinute: 6,
  syncMaxResponseBytes: 8 * 1024 * 1024,
  backlogPerCorp: 1200,
  analysisMs: 1500,
  exportPhaseMs: 500,
  exportJobsPerDay: 1000,
  callbackTokenTtlS: 600,
  jsapiTicketTtlS: 7200,
  jsapiTicketsPerHour: 400,
  agentTicketsPerHour: 100,
  specapiPhaseMs: 500,
  specapiConcurrency: 10,
  ...DEMO_SUITE_VALUES,
  displayCallbackToken: DEMO_SUITE_VALUES.callbackToken,
  displayCallbackAesKey: DEMO_SUITE_VALUES.callbackAesKey,
  displayAppKind: 'third_party',
  specapi: 'offline',
};

type Env = Record<string, string | undefined>;

function num(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) {
    throw new Error(`${name} must be a number >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new Error(`${name} must be one of ${allowed.join('|')}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}

function str(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

/** Reads the SIM_* and WECOM_* variables; unset means the documented default. */
export function optionsFromEnv(env: Env): SimulatorOptions {
  const d = DEFAULT_SIMULATOR_OPTIONS;
  const aesKey = str(env, 'WECOM_CALLBACK_AES_KEY', d.callbackAesKey);
  if (!/^[a-zA-Z0-9]{43}$/.test(aesKey)) {
    throw new Error('WECOM_CALLBACK_AES_KEY must be 43 characters of [a-zA-Z0-9]');
  }
  const displayAesKey = str(env, 'WECOM_DISPLAY_CALLBACK_AES_KEY', aesKey);
  if (!/^[a-zA-Z0-9]{43}$/.test(displayAesKey)) {
    throw new Error('WECOM_DISPLAY_CALLBACK_AES_KEY must be 43 characters of [a-zA-Z0-9]');
  }
  const callbackToken = str(env, 'WECOM_CALLBACK_TOKEN', d.callbackToken);
  return {
    ...d,
    port: num(env, 'SIM_PORT', d.port),
    host: str(env, 'SIM_HOST', d.host),
    seed: num(env, 'SIM_SEED', d.seed),
    messageRate: num(env, 'SIM_MESSAGE_RATE', d.messageRate),
    callbackUrl: str(env, 'SIM_CALLBACK_URL', d.callbackUrl),
    newMessageBatchMs: num(env, 'SIM_NEW_MESSAGE_BATCH_MS', d.newMessageBatchMs, 1),
    suiteTicketIntervalMs: num(env, 'SIM_SUITE_TICKET_INTERVAL_MS', d.suiteTicketIntervalMs, 1),
    tokenTtlS: num(env, 'SIM_TOKEN_TTL_S', d.tokenTtlS, 1),
    callbackTries: num(env, 'SIM_CALLBACK_TRIES', d.callbackTries, 1),
    hasMore: oneOf(env, 'SIM_HAS_MORE', ['contract', 'int', 'bool'], d.hasMore),
    userIdField: oneOf(env, 'SIM_USERID_FIELD', ['open_userid', 'userid'], d.userIdField),
    rsaPadding: oneOf(env, 'SIM_RSA_PADDING', ['pkcs1', 'oaep'], d.rsaPadding),
    ratePerMinute: num(env, 'SIM_RATE_PER_MINUTE', d.ratePerMinute, 1),
    ratePerHour: num(env, 'SIM_RATE_PER_HOUR', d.ratePerHour, 1),
    concurrency: num(env, 'SIM_CONCURRENCY', d.concurrency, 1),
    tokenlessSyncPerMinute: num(env, 'SIM_TOKENLESS_SYNC_PER_MINUTE', d.tokenlessSyncPerMinute, 1),
    syncMaxResponseBytes: num(env, 'SIM_SYNC_MAX_RESPONSE_BYTES', d.syncMaxResponseBytes, 1024),
    backlogPerCorp: num(env, 'SIM_BACKLOG_PER_CORP', d.backlogPerCorp),
    analysisMs: num(env, 'SIM_ANALYSIS_MS', d.analysisMs),
    exportPhaseMs: num(env, 'SIM_EXPORT_PHASE_MS', d.exportPhaseMs),
    jsapiTicketTtlS: num(env, 'SIM_JSAPI_TICKET_TTL_S', d.jsapiTicketTtlS, 1),
    specapiPhaseMs: num(env, 'SIM_SPECAPI_PHASE_MS', d.specapiPhaseMs),
    suiteId: str(env, 'WECOM_SUITE_ID', d.suiteId),
    suiteSecret: str(env, 'WECOM_SUITE_SECRET', d.suiteSecret),
    callbackToken,
    callbackAesKey: aesKey,
    providerCorpId: str(env, 'WECOM_PROVIDER_CORPID', d.providerCorpId),
    displaySuiteId: str(env, 'WECOM_DISPLAY_SUITE_ID', d.displaySuiteId),
    displaySuiteSecret: str(env, 'WECOM_DISPLAY_SUITE_SECRET', d.displaySuiteSecret),
    displayCallbackToken: str(env, 'WECOM_DISPLAY_CALLBACK_TOKEN', callbackToken),
    displayCallbackAesKey: displayAesKey,
    displayAppKind: oneOf(env, 'WECOM_DISPLAY_APP_KIND', ['third_party', 'customized'], d.displayAppKind),
    specapi: oneOf(env, 'SIM_SPECAPI', ['offline', 'online'], d.specapi),
  };
}
