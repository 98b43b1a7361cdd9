/**
 * The small interfaces the gateway's layers meet at. Schema/resolvers and the callback
 * receiver depend on these types only; `src/datasources/*` implements them (a memory and a
 * Redis implementation where state is kept). Upstream response shapes are the zod-inferred
 * types of `upstreamSchemas.ts`, with WeCom's own snake_case field names.
 */
import type {
  ChatdataApi,
  ChatdataRequest,
  ChatdataResponse,
  PermanentCodeResponse,
} from './upstreamSchemas.js';

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

/** Suite ticket → suite token → per-corp token, cached and single-flighted across replicas. */
export interface TokenChain {
  /**
   * Stores a pushed suite_ticket unless a newer one (by the event's `TimeStamp`, unix seconds)
   * is already stored: pushes may arrive out of order, and the newest wins (docs/upstream.md §8.12).
   */
  setSuiteTicket(ticket: string, timestampS: number): Promise<void>;
  getSuiteToken(): Promise<string>;
  getCorpToken(corpId: string): Promise<string>;
  /** Drops a cached token only if it still is `token` (another caller may have refreshed already). */
  invalidateSuiteToken(token: string): Promise<void>;
  invalidateCorpToken(corpId: string, token: string): Promise<void>;
  /** Drops a corp's cached token whatever it is (new permanent code, or to ask the upstream afresh). */
  forgetCorpToken(corpId: string): Promise<void>;
}

/** `config` signs with the corp's jsapi_ticket, `agentConfig` with the app's (type=agent_config). */
export type JsapiTicketKind = 'corp' | 'agent';

/** JS-SDK tickets, cached like tokens (shared by replicas, one fetch per lifetime). */
export interface JsapiTickets {
  getTicket(corpId: string, kind: JsapiTicketKind): Promise<string>;
  /** The authorized app's agent id in the corp (stored from its authorization, else WECOM_AGENT_ID); null when unknown. */
  agentId(corpId: string): Promise<number | null>;
  /** Drops the corp's cached tickets (cancel_auth). */
  forget(corpId: string): Promise<void>;
}

/** Uploaded temp media (the export template). */
export type UploadedMedia = { mediaId: string; createdAt: number };

/** The WeCom HTTP API, every response zod-validated; failures are `WecomError`s. */
export interface WecomApi {
  /** Any `/cgi-bin/chatdata/*` API with the corp's access token; token errors refresh once and retry once. */
  chatdata<A extends ChatdataApi>(
    corpId: string,
    api: A,
    body: ChatdataRequest<A>,
  ): Promise<ChatdataResponse<A>>;
  /** `POST /cgi-bin/media/upload?type=file` (multipart, field `media`) with the corp token. */
  uploadMedia(corpId: string, filename: string, content: Uint8Array): Promise<UploadedMedia>;
  /** `service/get_permanent_code` with the suite token. */
  getPermanentCode(authCode: string): Promise<PermanentCodeResponse>;
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

export type PublicKeyInfo = { version: number; publicKeyPem: string; createdAt: number };

/** Per-corp RSA-2048 key pairs; every historical private key is kept (encrypted at rest). */
export interface KeyManager {
  /** Generates a pair with version current+1 and calls `set_public_key`; stores it only on success. */
  rotate(corpId: string): Promise<PublicKeyInfo>;
  current(corpId: string): Promise<PublicKeyInfo | null>;
  /** RSA-decrypts a message's `encrypted_secret_key` with the private key of `version`. */
  decryptSecretKey(corpId: string, version: number, encryptedSecretKeyB64: string): Promise<string>;
  /** Deletes every key of the corp (cancel_auth). */
  purge(corpId: string): Promise<void>;
  /** Settles keys left pending by a crash or a lost answer (start-up, watchdog); returns how many became active. */
  repairPending(): Promise<number>;
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

/** What the callback receiver calls for authorization events (implemented by the corp onboarding). */
export interface AuthEvents {
  /** auth code → permanent code → corp stored → first public key set upstream. */
  createAuth(authCode: string): Promise<CorpRecord>;
  changeAuth(corpId: string): Promise<void>;
  /**
   * Only once the upstream confirms the authorization is gone (the corp token is refused):
   * forgets the corp and purges what the gateway archived for it. Resolves with the record as
   * cancelled, or null when there was nothing to cancel or the upstream did not confirm.
   */
  cancelAuth(corpId: string): Promise<CorpRecord | null>;
  /** reset_permanent_code: the auth code is exchanged and the new permanent code stored. */
  resetPermanentCode(authCode: string): Promise<CorpRecord>;
  /** advanced_api_expired / trial_expired: edition and expiry kept on the corp. */
  archiveExpired(
    corpId: string,
    expiry: { kind: 'TRIAL' | 'PAID'; edition: number | null; at: number },
  ): Promise<void>;
  /** A callback event of the corp failed for good: visible on `Corp`. */
  recordEventFailure(corpId: string, failure: EventFailure): Promise<void>;
  /**
   * An event named a corp the registry does not know: when an authorization's answer was lost
   * recently, lists it as needing reset_permanent_code and resolves true.
   */
  markIfOrphan(corpId: string): Promise<boolean>;
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
