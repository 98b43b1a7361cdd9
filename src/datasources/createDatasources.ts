import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { CorpOnboarding, type CorpPurgeHook } from './CorpOnboarding.js';
import { createRedis } from './createRedis.js';
import { KvCorpRegistry } from './KvCorpRegistry.js';
import { KvJsapiTickets } from './KvJsapiTickets.js';
import { KvKeyManager } from './KvKeyManager.js';
import { KvTaskStore } from './KvTaskStore.js';
import type { Logger } from './Logger.js';
import { MemoryKeyValueStore } from './MemoryKeyValueStore.js';
import type {
  AuthEvents,
  CorpRegistry,
  JsapiTickets,
  KeyManager,
  KeyValueStore,
  TaskStore,
  TokenChain,
  WecomApi,
} from './ports.js';
import { RedisKeyValueStore } from './RedisKeyValueStore.js';
import { createRsaDecrypt } from './rsa/createRsaDecrypt.js';
import { createSecretBox } from './secretBox.js';
import { WecomClient } from './WecomClient.js';
import { WecomHttp, type WecomHttpOptions } from './WecomHttp.js';
import { WecomTokenChain } from './WecomTokenChain.js';

export type Datasources = {
  kv: KeyValueStore;
  tokens: TokenChain;
  api: WecomApi;
  /** JS-SDK tickets for the display component's `config` / `agentConfig` signatures. */
  jsapi: JsapiTickets;
  corps: CorpRegistry;
  keys: KeyManager;
  tasks: TaskStore;
  auth: AuthEvents;
  /** Adds per-corp data (message index, inbox, …) to what cancel_auth purges. */
  onCorpCancelled(hook: CorpPurgeHook): void;
  /** The shared client when REDIS_URL is set (pub/sub and the inbox make their own from it). */
  redis: Redis | null;
  /** Resolves when the store and the upstream answer; for /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
};

/** Wires the datasources from config: Redis-backed when `config.redis.url` is set, memory otherwise. */
export async function createDatasources(
  config: Config & { wecomApiBase: string },
  logger: Logger,
  hooks: Pick<WecomHttpOptions, 'breaker' | 'observe'> = {},
): Promise<Datasources> {
  if (config.redis.clusterNodes) {
    // The coordination layer (KV locks and caches, leases, inbox, pub/sub, rate limits) runs on a
    // cluster (test/integration/cluster); the archive index, statistics and alerts still sit in
    // Redis behind multi-key scripts until they move to PostgreSQL, and are not cluster-safe.
    throw new Error(
      'REDIS_CLUSTER_NODES is not usable yet: the message index, statistics and alerts still live in ' +
        'Redis and are not cluster-safe; they move to PostgreSQL (DATABASE_URL) first. Use REDIS_URL.',
    );
  }
  const redis = config.redis.url ? await createRedis(config.redis.url, logger) : null;
  const kv: KeyValueStore = redis
    ? new RedisKeyValueStore(redis, { prefix: config.redis.prefix })
    : new MemoryKeyValueStore();
  const box = createSecretBox(config.masterKey);
  const http = new WecomHttp({
    baseUrl: config.wecomApiBase,
    timeoutMs: config.upstream.timeoutMs,
    retries: config.upstream.retries,
    logger,
    ...hooks,
  });
  const corps = new KvCorpRegistry(kv, box);
  const tokens = new WecomTokenChain({
    kv,
    http,
    suite: config.suite,
    corps,
    refreshMarginS: config.upstream.tokenRefreshMarginS,
    logger,
    // A fetch may take the whole HTTP budget (2 × timeout); the lock must outlive it.
    lockTtlMs: config.upstream.timeoutMs * 2 + 2000,
  });
  const api = new WecomClient(http, tokens);
  const jsapi = new KvJsapiTickets({
    kv,
    http,
    tokens,
    corps,
    defaultAgentId: config.display.agentId,
    refreshMarginS: config.upstream.tokenRefreshMarginS,
    logger,
    lockTtlMs: config.upstream.timeoutMs * 2 + 2000,
  });
  const rsa = createRsaDecrypt(config.rsaDecrypt.kind, { workers: config.rsaDecrypt.workers });
  const keys = new KvKeyManager({
    kv,
    box,
    api,
    corps,
    rsaPadding: config.rsaPadding,
    decrypt: rsa.decrypt,
    logger,
  });
  const tasks = new KvTaskStore(kv);
  const auth = new CorpOnboarding({
    api,
    corps,
    keys,
    tasks,
    forgetCorpToken: (corpId) => tokens.forgetCorpToken(corpId),
    logger,
  });

  // A cancelled corp's tickets are useless; a re-authorized one gets fresh ones.
  auth.onCancel((corpId) => jsapi.forget(corpId));

  let closed = false;
  return {
    kv,
    tokens,
    api,
    jsapi,
    corps,
    keys,
    tasks,
    auth,
    onCorpCancelled: (hook) => auth.onCancel(hook),
    redis,
    async ping() {
      await Promise.all([kv.ping(), http.ping()]);
    },
    async close() {
      if (closed) return;
      closed = true;
      await http.close();
      await rsa.close();
      await kv.close();
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
