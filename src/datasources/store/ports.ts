/**
 * The storage interfaces: what the durable store of record (PostgreSQL, or memory in the demo)
 * and the Redis key/value coordination implement. `memory/`, `postgres/` and `redis/` hold the
 * implementations; nothing here imports them.
 */
/** Key/value + lock primitives. Keys are given WITHOUT the deployment prefix; stores add it. */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  /** `ttlMs` undefined → no expiry. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** SET NX PX: true when this call created the key. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes only when the current value equals `value` (safe lock release). */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  /** Renews the TTL only when the current value equals `value` (lease renewal of a lock). */
  extendIfEquals(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(...keys: string[]): Promise<void>;
  /** Keys under `prefix` (SCAN on Redis). For admin paths and purges, not hot paths. */
  keys(prefix: string): Promise<string[]>;
  /** Health probe: resolves when the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type CorpStatus = 'ACTIVE' | 'CANCELLED';

export type CorpRecord = {
  corpId: string;
  name: string | null;
  status: CorpStatus;
  /** unix ms */
  authorizedAt: number;
  cancelledAt: number | null;
  /** Current public key version set upstream; null until the first `set_public_key` succeeded. */
  publicKeyVersion: number | null;
  /**
   * The authorized app's agent id in this corp (`get_permanent_code` auth_info.agent[0].agentid),
   * for the JS-SDK `agentConfig`; absent on records stored before it was kept.
   */
  agentId?: number | null;
  /** The ChatArchiveApi edition the last expiry event named (`<ChatArchiveApi><Edition>`). */
  archiveEdition?: number | null;
  /**
   * The last expiry event: `TRIAL` (trial_expired) or `PAID` (advanced_api_expired), at unix
   * ms; cleared by a new authorization.
   */
  archiveExpiry?: { kind: 'TRIAL' | 'PAID'; at: number } | null;
  /**
   * The upstream holds an authorization this gateway has no permanent code for (an exchange
   * whose answer was lost): someone must trigger `reset_permanent_code` for the corp.
   */
  needsPermanentCodeReset?: boolean;
  /** The last callback event of this corp that failed for good (not retried any more). */
  lastEventFailure?: EventFailure | null;
  /**
   * Which auth code (its digest, authCodeRef) this record was stored from: a redelivered
   * create_auth whose code the upstream now refuses as used is then known as handled.
   */
  authCodeRef?: string;
};

/** A callback event given up on: what it was, why, when (unix ms). */
export type EventFailure = { infoType: string; code: string; message: string; at: number };

/** Authorized corps. The permanent code is stored encrypted with GATEWAY_MASTER_KEY. */
export interface CorpRegistry {
  list(): Promise<CorpRecord[]>;
  get(corpId: string): Promise<CorpRecord | null>;
  upsert(record: CorpRecord, permanentCode?: string): Promise<void>;
  /** Decrypted permanent code; null when unknown. */
  getPermanentCode(corpId: string): Promise<string | null>;
  /** Forgets the corp and its permanent code (a confirmed cancel_auth): it leaves `list()`. */
  remove(corpId: string): Promise<void>;
}

/** Records the gateway keeps about async upstream jobs (the upstream has no list API). */
export type AnalysisTaskRecord = {
  corpId: string;
  jobId: string;
  type: 'SENTIMENT' | 'SPAM' | 'SUMMARY' | 'CUSTOM';
  messageIds: string[];
  createdAt: number;
  /** CUSTOM (specapi/create_job) only: the provider's dedupe id and the data given to its zone program. */
  customId?: string;
  customData?: string;
};
export type ExportTaskRecord = {
  corpId: string;
  jobId: string;
  createdAt: number;
  /** Filled from the export-finished callback or the last status poll. */
  status: 'WAITING' | 'RUNNING' | 'DONE' | 'FAILED';
  resultId: string | null;
  error: string | null;
};

/** Upstream keeps analysis jobs 7 days and export results 14 days; task records are kept a little longer. */
export const TASK_RETENTION_MS = 30 * 86_400_000;

export interface TaskStore {
  putAnalysis(task: AnalysisTaskRecord): Promise<void>;
  getAnalysis(corpId: string, jobId: string): Promise<AnalysisTaskRecord | null>;
  putExport(task: ExportTaskRecord): Promise<void>;
  getExport(corpId: string, jobId: string): Promise<ExportTaskRecord | null>;
  /** Every task record of the corp (cancel_auth). */
  purge(corpId: string): Promise<void>;
}

/** A message as archived by `sync_msg` (metadata only; content never leaves WeCom). */
export type ArchivedMessage = {
  corpId: string;
  msgid: string;
  sender: { type: number; id: string };
  receivers: { type: number; id: string }[];
  chatId: string | null;
  /** unix seconds */
  sendTime: number;
  msgtype: number;
  encryptedSecretKey: string;
  publicKeyVersion: number;
};

/** Lookup side of the message index (the full index interface comes with ingestion). */
export interface MessageLookup {
  getMany(corpId: string, msgids: readonly string[]): Promise<(ArchivedMessage | null)[]>;
}

/** Sync bookkeeping streams: `sync` for sync_msg, `hits` for get_hit_msg_list. */
export type SyncStream = 'sync' | 'hits';

export type SyncError = { code: string; message: string; at: number };

/** The durable sync bookkeeping of one corp and stream; times unix ms. */
export type SyncRecord = {
  cursor: string | null;
  cursorUpdatedAt: number | null;
  lastCallbackAt: number | null;
  lastSyncStartedAt: number | null;
  lastSyncOkAt: number | null;
  lastError: SyncError | null;
  /** Records kept aside (stream `sync` only). */
  quarantined: number;
};

export type SyncTimeField = 'lastCallbackAt' | 'lastSyncStartedAt' | 'lastSyncOkAt';

/**
 * Where sync cursors and their bookkeeping live (memory or PostgreSQL). The `sync` stream's
 * cursor is written by `MessageIndex.commitPage`, in the page's transaction; the `hits`
 * stream's by `saveCursor`.
 */
export interface SyncStateTable {
  read(corpId: string, stream: SyncStream): Promise<SyncRecord>;
  saveCursor(corpId: string, stream: SyncStream, cursor: string, now: number): Promise<void>;
  mark(corpId: string, stream: SyncStream, field: SyncTimeField, at: number): Promise<void>;
  recordError(corpId: string, stream: SyncStream, error: SyncError | null): Promise<void>;
  purge(corpId: string): Promise<void>;
}

export type RuleHit = { ruleId: string; hasHitKeyword: boolean; semantics: number[] };
export type StoredHits = { msgid: string; rules: RuleHit[]; sendTime: number | null; recordedAt: number };

/**
 * Keyword-rule hits per message (from get_hit_msg_list), kept as long as the archive keeps
 * messages. Writes merge by rule id, so a page fetched twice changes nothing.
 */
export interface HitStore {
  /** Returns the rules that were new for this message. */
  record(corpId: string, hit: StoredHits): Promise<RuleHit[]>;
  get(corpId: string, msgid: string): Promise<StoredHits | null>;
  getMany(corpId: string, msgids: readonly string[]): Promise<(StoredHits | null)[]>;
  /** Retention: hits recorded before `recordedBefore` (unix ms). Returns how many went. */
  dropBefore(recordedBefore: number): Promise<number>;
  purge(corpId: string): Promise<void>;
}

/** One key version as stored: the private key sealed with GATEWAY_MASTER_KEY. */
export type StoredKey = {
  version: number;
  publicKeyPem: string;
  sealedPrivateKey: string;
  /** unix ms */
  createdAt: number;
  /** `pending` until set_public_key is known to have taken effect; never deleted once it may have. */
  state: 'pending' | 'active';
};

/** Every key version of every corp (memory or PostgreSQL). */
export interface KeyStore {
  /** Highest version stored for the corp in any state; 0 when none. */
  maxVersion(corpId: string): Promise<number>;
  /** Highest active version; null when none. */
  currentVersion(corpId: string): Promise<number | null>;
  /** Stores a new pending key; false when the version exists already. */
  insertPending(corpId: string, key: StoredKey): Promise<boolean>;
  /** Marks the version active. */
  activate(corpId: string, version: number): Promise<void>;
  /** Deletes a pending key the upstream definitely refused (an active key is never deleted here). */
  deletePending(corpId: string, version: number): Promise<void>;
  load(corpId: string, version: number): Promise<StoredKey | null>;
  /** Corps with pending keys (the repair pass), and one corp's pending keys, newest first. */
  corpsWithPending(): Promise<string[]>;
  pending(corpId: string): Promise<StoredKey[]>;
  /** Every key of the corp (cancel_auth, after the upstream confirmed it). */
  purge(corpId: string): Promise<void>;
}

export type StoredSuiteTicket = { ticket: string /** the push's TimeStamp, unix s */; ts: number };

/** The newest suite_ticket per suite id (durable: WeCom pushes one only every 10 minutes). */
export interface SuiteTicketStore {
  get(suiteId: string): Promise<StoredSuiteTicket | null>;
  /** Stores the ticket unless a newer one (by push time) is stored; true when stored. */
  putIfNewer(suiteId: string, ticket: StoredSuiteTicket): Promise<boolean>;
}

/** A cancel_auth the upstream did not confirm: re-checked until `receivedAt` + the window (unix ms). */
export type PendingCancel = { corpId: string; receivedAt: number };

/** One app's unconfirmed cancels (memory or PostgreSQL), one per corp. */
export interface PendingCancelStore {
  /** Records the cancel unless one is pending for the corp: the first one's time bounds the window. */
  add(corpId: string, receivedAt: number): Promise<void>;
  list(): Promise<PendingCancel[]>;
  remove(corpId: string): Promise<void>;
}
