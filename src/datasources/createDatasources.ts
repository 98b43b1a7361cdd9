import type { Config } from '../config/config.js';
import type { Logger } from '../logging/Logger.js';
import { CorpOnboarding, type CorpPurgeHook, type OnboardingObservation } from './corps/CorpOnboarding.js';
import type { AuthEvents, KeyManager } from './corps/ports.js';
import { RsaKeyManager } from './corps/RsaKeyManager.js';
import { createRsaDecrypt } from './corps/rsa/createRsaDecrypt.js';
import { createDurableStores, type DurableStores } from './createDurableStores.js';
import { cacheReads } from './readCache/cacheReads.js';
import type { ReadCacheOptions } from './readCache/ReadCache.js';
import { MemoryKeyValueStore } from './store/memory/MemoryKeyValueStore.js';
import { PrefixedKeyValueStore } from './store/PrefixedKeyValueStore.js';
import type { CorpRegistry, KeyValueStore, TaskStore } from './store/ports.js';
import { createRedis } from './store/redis/createRedis.js';
import type { RedisClient } from './store/redis/RedisClient.js';
import { RedisKeyValueStore } from './store/redis/RedisKeyValueStore.js';
import { createSecretBox } from './store/secretBox.js';
import { KvJsapiTickets } from './wecom/KvJsapiTickets.js';
import type { JsapiTickets, TokenChain, WecomApi } from './wecom/ports.js';
import { WecomClient } from './wecom/WecomClient.js';
import { WecomHttp, type WecomHttpOptions } from './wecom/WecomHttp.js';
import { WecomTokenChain } from './wecom/WecomTokenChain.js';

export type Datasources = {
  /** The store of record (PostgreSQL, or memory in the embedded demo). */
  durable: DurableStores;
  /** Coordination: token caches, locks, leases (Redis, or memory for one process). */
  kv: KeyValueStore;
  tokens: TokenChain;
  api: WecomApi;
  /** JS-SDK tickets for the display component's `config` / `agentConfig` signatures. */
  jsapi: JsapiTickets;
  corps: CorpRegistry;
  /**
   * The corp record for GraphQL reads: cached per replica with PostgreSQL (src/datasources/readCache/), so
   * it may trail another replica's write by the pub/sub delay. Never read it to write it back.
   */
  corpReads: Pick<CorpRegistry, 'get'>;
  keys: KeyManager;
  tasks: TaskStore;
  auth: AuthEvents;
  /**
   * The display app (third-party / 代开发, docs/upstream.md §8.3): its own suite ticket, suite token,
   * permanent codes and corp tokens. JS-SDK tickets and agentId come from it.
   */
  display: { tokens: TokenChain; corps: CorpRegistry; auth: AuthEvents };
  /** Adds per-corp data (message index, inbox, …) to what cancel_auth purges. */
  onCorpCancelled(hook: CorpPurgeHook): void;
  /** The shared client when REDIS_URL is set (pub/sub and the inbox make their own from it). */
  redis: RedisClient | null;
  /** Resolves when the store and the upstream answer; for /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
};

export type DatasourceHooks = Pick<WecomHttpOptions, 'breaker' | 'observe'> & {
  /** Onboarding outcomes worth a metric (lost answers, lost authorizations, refused cancels). */
  onboarding?: (app: 'archive' | 'display', what: OnboardingObservation) => void;
  /** A corp authorization completed, by app (counted for the activity summary). */
  authorized?: (app: 'archive' | 'display') => void;
  /** Every read through the replica's read cache (hit, miss, or bypass while it is off). */
  readCache?: ReadCacheOptions['onRead'];
};

/**
 * Wires the datasources from config: the store of record in PostgreSQL when `DATABASE_URL` is set
 * (memory otherwise), coordination in Redis when `REDIS_URL` is set (memory otherwise).
 */
export async function createDatasources(
  config: Config & { wecomApiBase: string },
  logger: Logger,
  { onboarding, authorized, readCache, ...hooks }: DatasourceHooks = {},
): Promise<Datasources> {
  // Only coordination lives in Redis (KV locks and caches, leases, inbox, pub/sub, rate limits),
  // and all of it is cluster-safe (test/integration/cluster): one node or a cluster alike.
  const { url, clusterNodes } = config.redis;
  const target = clusterNodes ? { clusterNodes } : url;
  const redis = target ? await createRedis(target, logger) : null;
  const kv: KeyValueStore = redis
    ? new RedisKeyValueStore(redis, { prefix: config.redis.prefix })
    : new MemoryKeyValueStore();
  const box = createSecretBox(config.masterKey);
  let stores: DurableStores;
  try {
    stores = await createDurableStores(config.database, box, logger);
  } catch (error) {
    await kv.close().catch(() => undefined);
    if (redis) redis.disconnect();
    throw error;
  }
  const cached = cacheReads(stores, {
    ...config.readCache,
    redis,
    prefix: config.redis.prefix,
    logger,
    ...(readCache ? { onRead: readCache } : {}),
  });
  const durable: DurableStores = { ...stores, index: cached.index, corps: cached.corps };
  const http = new WecomHttp({
    baseUrl: config.wecomApiBase,
    timeoutMs: config.upstream.timeoutMs,
    retries: config.upstream.retries,
    logger,
    ...hooks,
  });
  const corps = durable.corps;
  const tokens = new WecomTokenChain({
    kv,
    http,
    suite: config.suite,
    corps,
    tickets: durable.suiteTickets,
    refreshMarginS: config.upstream.tokenRefreshMarginS,
    logger,
    // A fetch may take the whole HTTP budget (2 × timeout); the lock must outlive it.
    lockTtlMs: config.upstream.timeoutMs * 2 + 2000,
  });
  const api = new WecomClient(http, tokens);
  // The display app's chain and authorizations: the same implementations under their own keys.
  const displayKv = new PrefixedKeyValueStore(kv, 'display:');
  const displayCorps = durable.displayCorps;
  const displayTokens = new WecomTokenChain({
    kv: displayKv,
    http,
    suite: config.displaySuite,
    appKind: config.displayAppKind,
    corps: displayCorps,
    tickets: durable.suiteTickets,
    refreshMarginS: config.upstream.tokenRefreshMarginS,
    logger,
    lockTtlMs: config.upstream.timeoutMs * 2 + 2000,
  });
  const jsapi = new KvJsapiTickets({
    kv,
    http,
    tokens: displayTokens,
    corps: displayCorps,
    defaultAgentId: config.display.agentId,
    refreshMarginS: config.upstream.tokenRefreshMarginS,
    logger,
    lockTtlMs: config.upstream.timeoutMs * 2 + 2000,
  });
  const rsa = createRsaDecrypt(config.rsaDecrypt.kind, { workers: config.rsaDecrypt.workers });
  const keys = new RsaKeyManager({
    store: durable.keys,
    kv,
    box,
    api,
    corps,
    rsaPadding: config.rsaPadding,
    decrypt: rsa.decrypt,
    logger,
  });
  const tasks = durable.tasks;
  const auth = new CorpOnboarding({
    app: 'archive',
    api,
    corps,
    tokens,
    kv,
    keys,
    tasks,
    cancels: durable.pendingCancels.archive,
    ...(onboarding ? { observe: (what: OnboardingObservation) => onboarding('archive', what) } : {}),
    ...(authorized ? { onAuthorized: () => authorized('archive') } : {}),
    logger,
  });
  const displayAuth = new CorpOnboarding({
    app: 'display',
    api: new WecomClient(http, displayTokens),
    corps: displayCorps,
    tokens: displayTokens,
    kv: displayKv,
    cancels: durable.pendingCancels.display,
    ...(onboarding ? { observe: (what: OnboardingObservation) => onboarding('display', what) } : {}),
    ...(authorized ? { onAuthorized: () => authorized('display') } : {}),
    logger,
  });
  // The display app's tickets belong to its authorization: a cancelled one's are useless.
  displayAuth.onCancel((corpId) => jsapi.forget(corpId));

  let closed = false;
  return {
    durable,
    kv,
    tokens,
    api,
    jsapi,
    corps,
    corpReads: cached.corpReads,
    keys,
    tasks,
    auth,
    display: { tokens: displayTokens, corps: displayCorps, auth: displayAuth },
    onCorpCancelled: (hook) => auth.onCancel(hook),
    redis,
    async ping() {
      await Promise.all([kv.ping(), durable.ping(), http.ping()]);
    },
    async close() {
      if (closed) return;
      closed = true;
      await http.close();
      await rsa.close();
      cached.close();
      await durable.close();
      await kv.close();
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
