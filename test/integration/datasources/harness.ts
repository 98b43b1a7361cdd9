import { expect } from 'vitest';
import { RsaKeyManager } from '../../../src/datasources/corps/RsaKeyManager.js';
import { KvCorpRegistry } from '../../../src/datasources/store/memory/KvCorpRegistry.js';
import { MemoryKeyStore } from '../../../src/datasources/store/memory/MemoryKeyStore.js';
import { MemorySuiteTicketStore } from '../../../src/datasources/store/memory/MemorySuiteTicketStore.js';
import type { KeyStore, KeyValueStore, SuiteTicketStore } from '../../../src/datasources/store/ports.js';
import { createSecretBox } from '../../../src/datasources/store/secretBox.js';
import { WecomClient } from '../../../src/datasources/wecom/WecomClient.js';
import { WecomError } from '../../../src/datasources/wecom/WecomError.js';
import { WecomHttp, type WecomHttpOptions } from '../../../src/datasources/wecom/WecomHttp.js';
import { WecomTokenChain } from '../../../src/datasources/wecom/WecomTokenChain.js';
import { silentLogger } from '../../../src/logging/Logger.js';
import { type StubUpstream, SUITE_ID, SUITE_SECRET } from './stubUpstream.js';

export const MASTER_KEY = 'test-master-key-0123456789';

/** The real datasource objects wired against a stub upstream and a given KV. */
export function wire(
  stub: StubUpstream,
  kv: KeyValueStore,
  http: Partial<WecomHttpOptions> = {},
  /** Replicas share the store of record: pass one store to every replica's chain. */
  tickets: SuiteTicketStore = new MemorySuiteTicketStore(),
  /** `customized`: a 代开发 app's chain, corp tokens from gettoken. */
  appKind: 'third_party' | 'customized' = 'third_party',
) {
  const box = createSecretBox(MASTER_KEY);
  const corps = new KvCorpRegistry(kv, box);
  const client = new WecomHttp({
    baseUrl: stub.url,
    timeoutMs: 2000,
    retries: 2,
    backoffBaseMs: 1,
    logger: silentLogger,
    ...http,
  });
  const tokens = new WecomTokenChain({
    kv,
    http: client,
    suite: { suiteId: SUITE_ID, suiteSecret: SUITE_SECRET },
    corps,
    tickets,
    refreshMarginS: 300,
    logger: silentLogger,
    appKind,
  });
  const api = new WecomClient(client, tokens);
  return { box, corps, http: client, tokens, api };
}

/** Registers an authorized corp whose permanent code the stub accepts. */
export async function seedCorp(corps: KvCorpRegistry, corpId: string): Promise<void> {
  await corps.upsert(
    { corpId, name: corpId, status: 'ACTIVE', authorizedAt: 1, cancelledAt: null, publicKeyVersion: null },
    `pc-${corpId}`,
  );
}

/** The WecomError a call rejects with (fails the test when it resolves or throws something else). */
export async function failure(promise: Promise<unknown>): Promise<WecomError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WecomError);
  return error as WecomError;
}

/** A key manager over the wired datasources (the stub plays set_public_key). */
export function keyManager(
  ctx: ReturnType<typeof wire>,
  kv: KeyValueStore,
  rsaPadding: 'pkcs1' | 'oaep' = 'pkcs1',
  store: KeyStore = new MemoryKeyStore(),
) {
  return new RsaKeyManager({
    store,
    kv,
    box: ctx.box,
    api: ctx.api,
    corps: ctx.corps,
    rsaPadding,
    logger: silentLogger,
  });
}
