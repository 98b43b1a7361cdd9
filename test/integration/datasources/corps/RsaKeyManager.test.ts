import { constants, publicEncrypt } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryKeyStore } from '../../../../src/datasources/store/memory/MemoryKeyStore.js';
import { MemoryKeyValueStore } from '../../../../src/datasources/store/memory/MemoryKeyValueStore.js';
import type { KeyStore, KeyValueStore } from '../../../../src/datasources/store/ports.js';
import { createPgPool } from '../../../../src/datasources/store/postgres/createPgPool.js';
import { migrate } from '../../../../src/datasources/store/postgres/migrate.js';
import { PgKeyStore } from '../../../../src/datasources/store/postgres/PgKeyStore.js';
import { createRedis } from '../../../../src/datasources/store/redis/createRedis.js';
import { RedisKeyValueStore } from '../../../../src/datasources/store/redis/RedisKeyValueStore.js';
import { silentLogger } from '../../../../src/logging/Logger.js';
import { freshSchema } from '../../../helpers/postgres.js';
import { purgePrefix, testRedisUrl, uniquePrefix } from '../../../helpers/redis.js';
import { keyManager, seedCorp, wire } from '../harness.js';
import { type StubUpstream, startStubUpstream } from '../stubUpstream.js';

const SET_KEY = '/cgi-bin/chatdata/set_public_key';

let stub: StubUpstream;
/** What the stub accepted, per corp, like WeCom: versions must increase (40212). */
let accepted: Map<string, number[]>;

beforeEach(async () => {
  stub = await startStubUpstream();
  accepted = new Map();
  stub.route(SET_KEY, ({ body, query }) => {
    const corpId = /^corp-token-(.+)-\d+$/.exec(query.get('access_token') ?? '')?.[1] ?? '?';
    const { public_key, public_key_ver } = body as { public_key: string; public_key_ver: number };
    const versions = accepted.get(corpId) ?? [];
    if (!public_key.includes('BEGIN PUBLIC KEY'))
      return { json: { errcode: 40211, errmsg: 'invalid public key' } };
    if (public_key_ver <= (versions.at(-1) ?? 0))
      return { json: { errcode: 40212, errmsg: 'version too low' } };
    accepted.set(corpId, [...versions, public_key_ver]);
    return { json: { errcode: 0, errmsg: 'ok' } };
  });
});
afterEach(async () => stub.close());

function encryptFor(publicKeyPem: string, secret: string, padding = constants.RSA_PKCS1_PADDING): string {
  return publicEncrypt({ key: publicKeyPem, padding }, Buffer.from(secret)).toString('base64');
}

async function setup(
  kv: KeyValueStore = new MemoryKeyValueStore(),
  rsaPadding: 'pkcs1' | 'oaep' = 'pkcs1',
  store: KeyStore = new MemoryKeyStore(),
) {
  const ctx = wire(stub, kv, { timeoutMs: 300, retries: 0 });
  await ctx.tokens.setSuiteTicket('t', 1);
  return { ...ctx, kv, keys: keyManager(ctx, kv, rsaPadding, store), store };
}

describe('RsaKeyManager', () => {
  it('rotates to increasing versions and still decrypts under every old key', async () => {
    const { keys, corps, http } = await setup();
    await seedCorp(corps, 'wwk');
    const v1 = await keys.rotate('wwk');
    const secretUnderV1 = encryptFor(v1.publicKeyPem, 'secret-key-one');
    const v2 = await keys.rotate('wwk');
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(accepted.get('wwk')).toEqual([1, 2]);
    expect((await keys.current('wwk'))?.version).toBe(2);
    expect((await corps.get('wwk'))?.publicKeyVersion).toBe(2);
    expect(await keys.decryptSecretKey('wwk', 1, secretUnderV1)).toBe('secret-key-one');
    expect(await keys.decryptSecretKey('wwk', 2, encryptFor(v2.publicKeyPem, 'two'))).toBe('two');
    // A ciphertext under v1 does not open with v2.
    await expect(keys.decryptSecretKey('wwk', 2, secretUnderV1)).rejects.toMatchObject({
      code: 'DECRYPT_FAILED',
    });
    await http.close();
  });

  it('names unknown versions and bad input', async () => {
    const { keys, corps, http } = await setup();
    await seedCorp(corps, 'wwk');
    await keys.rotate('wwk');
    await expect(keys.decryptSecretKey('wwk', 7, 'QUJD')).rejects.toMatchObject({
      code: 'KEY_NOT_FOUND',
      message: 'corp wwk has no private key of version 7',
    });
    await expect(keys.decryptSecretKey('wwk', 0, 'QUJD')).rejects.toThrow(
      'public_key_ver must be an integer >= 1, got 0',
    );
    await expect(keys.decryptSecretKey('wwk', 1, 'not base64!')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await http.close();
  });

  it('decrypts OAEP when configured', async () => {
    const { keys, corps, http } = await setup(new MemoryKeyValueStore(), 'oaep');
    await seedCorp(corps, 'wwk');
    const v1 = await keys.rotate('wwk');
    const ct = encryptFor(v1.publicKeyPem, 'oaep-secret', constants.RSA_PKCS1_OAEP_PADDING);
    expect(await keys.decryptSecretKey('wwk', 1, ct)).toBe('oaep-secret');
    await http.close();
  });

  it('does not keep a key the upstream definitely rejected', async () => {
    const { keys, corps, store, http } = await setup();
    await seedCorp(corps, 'wwk');
    stub.script(SET_KEY, { json: { errcode: 40211, errmsg: 'invalid public key' } });
    await expect(keys.rotate('wwk')).rejects.toMatchObject({ errcode: 40211 });
    expect(await keys.current('wwk')).toBeNull();
    expect(await store.maxVersion('wwk')).toBe(0);
    // The refused version was never in use upstream, so it may be given again.
    expect((await keys.rotate('wwk')).version).toBe(1);
    await http.close();
  });

  it('keeps a key whose set_public_key answer was lost and settles it by asking again (40212 = applied)', async () => {
    const { keys, corps, store, http } = await setup();
    await seedCorp(corps, 'wwk');
    // The upstream applies the key, then the connection drops unanswered (twice: the rotation's
    // own question goes unanswered too). The key must stay, pending.
    stub.script(SET_KEY, { lost: true }, { lost: true });
    await expect(keys.rotate('wwk')).rejects.toMatchObject({ errcode: null });
    expect(accepted.get('wwk')).toEqual([1]);
    expect((await store.pending('wwk')).map((k) => k.version)).toEqual([1]);
    expect(await keys.current('wwk')).toBeNull();
    // The repair pass asks again: "version not greater" for the very same version means applied.
    expect(await keys.repairPending()).toBe(1);
    expect((await keys.current('wwk'))?.version).toBe(1);
    expect((await corps.get('wwk'))?.publicKeyVersion).toBe(1);
    expect(await store.pending('wwk')).toEqual([]);
    await http.close();
  });

  it('settles a lost answer at once when the question gets through', async () => {
    const { keys, corps, http } = await setup();
    await seedCorp(corps, 'wwk');
    stub.script(SET_KEY, { lost: true });
    expect((await keys.rotate('wwk')).version).toBe(1);
    expect(accepted.get('wwk')).toEqual([1]);
    expect((await corps.get('wwk'))?.publicKeyVersion).toBe(1);
    await http.close();
  });

  it('purges every key; a version the upstream still holds is stepped over', async () => {
    const { keys, corps, http } = await setup();
    await seedCorp(corps, 'wwk');
    const v1 = await keys.rotate('wwk');
    const ct = encryptFor(v1.publicKeyPem, 's');
    expect(await keys.decryptSecretKey('wwk', 1, ct)).toBe('s');
    await keys.purge('wwk');
    expect(await keys.current('wwk')).toBeNull();
    await expect(keys.decryptSecretKey('wwk', 1, ct)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    expect((await keys.rotate('wwk')).version).toBe(2);
    await http.close();
  });

  it('serializes concurrent rotations in one process into distinct versions', async () => {
    const { keys, corps, http } = await setup();
    await seedCorp(corps, 'wwk');
    const versions = await Promise.all([keys.rotate('wwk'), keys.rotate('wwk'), keys.rotate('wwk')]);
    expect(versions.map((v) => v.version).sort()).toEqual([1, 2, 3]);
    expect(accepted.get('wwk')).toEqual([1, 2, 3]);
    await http.close();
  });

  describe('across replicas (PostgreSQL keys, Redis lock)', () => {
    it('two KeyManagers rotating one corp at once never reuse a version', async () => {
      const prefix = uniquePrefix('keys');
      const schema = await freshSchema('keys');
      const pool = createPgPool(schema.url, silentLogger, 4);
      await migrate(pool, silentLogger);
      const redisA = await createRedis(testRedisUrl, silentLogger);
      const redisB = await createRedis(testRedisUrl, silentLogger);
      const a = await setup(new RedisKeyValueStore(redisA, { prefix }), 'pkcs1', new PgKeyStore(pool));
      const b = await setup(new RedisKeyValueStore(redisB, { prefix }), 'pkcs1', new PgKeyStore(pool));
      await seedCorp(a.corps, 'wwk');
      await seedCorp(b.corps, 'wwk');
      const results = await Promise.all([a.keys.rotate('wwk'), b.keys.rotate('wwk')]);
      expect(results.map((r) => r.version).sort()).toEqual([1, 2]);
      expect(accepted.get('wwk')).toEqual([1, 2]);
      // Both see both versions: the keys live in the shared store.
      expect((await b.keys.current('wwk'))?.version).toBe(2);
      await Promise.all([a.http.close(), b.http.close(), redisA.quit(), redisB.quit()]);
      await purgePrefix(prefix);
      await pool.end();
      await schema.drop();
    });
  });
});
