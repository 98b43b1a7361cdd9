import { constants, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RsaKeyManager } from '../../../../src/datasources/corps/RsaKeyManager.js';
import {
  createRsaDecrypt,
  nativeRsaDecrypt,
} from '../../../../src/datasources/corps/rsa/createRsaDecrypt.js';
import { ForgeDecryptPool } from '../../../../src/datasources/corps/rsa/ForgeDecryptPool.js';
import type { RsaPadding } from '../../../../src/datasources/corps/rsa/rsaDecrypt.js';
import { MemoryKeyStore } from '../../../../src/datasources/store/memory/MemoryKeyStore.js';
import { MemoryKeyValueStore } from '../../../../src/datasources/store/memory/MemoryKeyValueStore.js';
import { silentLogger } from '../../../../src/logging/Logger.js';
import { seedCorp, wire } from '../harness.js';
import { type StubUpstream, startStubUpstream } from '../stubUpstream.js';

const keyPair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
const pair = keyPair();
const other = keyPair();

const NODE_PADDING = {
  pkcs1: constants.RSA_PKCS1_PADDING,
  oaep: constants.RSA_PKCS1_OAEP_PADDING,
} as const;

function encrypt(plain: string | Buffer, padding: RsaPadding, publicKey = pair.publicKey): Buffer {
  return publicEncrypt({ key: publicKey, padding: NODE_PADDING[padding] }, Buffer.from(plain));
}

const pools: ForgeDecryptPool[] = [];
function pool(options: ConstructorParameters<typeof ForgeDecryptPool>[0] = {}): ForgeDecryptPool {
  const p = new ForgeDecryptPool(options);
  pools.push(p);
  return p;
}
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe('ForgeDecryptPool', () => {
  it.each(['pkcs1', 'oaep'] as const)('decrypts %s ciphertexts made by node:crypto', async (padding) => {
    const p = pool();
    const ciphertext = encrypt('密钥-secret', padding);
    const plain = await p.decrypt({ privateKeyPem: pair.privateKey, ciphertext, padding });
    expect(plain.toString('utf8')).toBe('密钥-secret');
  });

  it("uses SHA-1 for OAEP, as Node's RSA_PKCS1_OAEP_PADDING does by default", async () => {
    const p = pool();
    const sha256 = publicEncrypt(
      { key: pair.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      Buffer.from('x'),
    );
    const sha1 = publicEncrypt(
      { key: pair.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from('x'),
    );
    expect(
      (await p.decrypt({ privateKeyPem: pair.privateKey, ciphertext: sha1, padding: 'oaep' })).toString(),
    ).toBe('x');
    await expect(
      p.decrypt({ privateKeyPem: pair.privateKey, ciphertext: sha256, padding: 'oaep' }),
    ).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
  });

  it('rejects a ciphertext under another key, or with the other padding, with DECRYPT_FAILED', async () => {
    const p = pool();
    await expect(
      p.decrypt({
        privateKeyPem: pair.privateKey,
        ciphertext: encrypt('s', 'pkcs1', other.publicKey),
        padding: 'pkcs1',
      }),
    ).rejects.toMatchObject({
      name: 'RsaDecryptError',
      code: 'DECRYPT_FAILED',
      message: expect.stringMatching(/^RSA decrypt \(pkcs1 padding\) failed: /),
    });
    await expect(
      p.decrypt({ privateKeyPem: pair.privateKey, ciphertext: encrypt('s', 'oaep'), padding: 'pkcs1' }),
    ).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
    await expect(
      p.decrypt({ privateKeyPem: pair.privateKey, ciphertext: encrypt('s', 'pkcs1'), padding: 'oaep' }),
    ).rejects.toMatchObject({ code: 'DECRYPT_FAILED', message: expect.stringContaining('(oaep padding)') });
  });

  it('answers 50 concurrent decrypts over two keys with two workers, each with its own plaintext', async () => {
    const p = pool({ workers: 2 });
    const jobs = Array.from({ length: 50 }, (_, i) => {
      const keys = i % 2 === 0 ? pair : other;
      const padding: RsaPadding = i % 3 === 0 ? 'oaep' : 'pkcs1';
      const secret = `secret-${i}-${randomBytes(4).toString('hex')}`;
      return {
        secret,
        request: {
          privateKeyPem: keys.privateKey,
          ciphertext: encrypt(secret, padding, keys.publicKey),
          padding,
        },
      };
    });
    const plains = await Promise.all(jobs.map((j) => p.decrypt(j.request)));
    expect(plains.map((b) => b.toString())).toEqual(jobs.map((j) => j.secret));
  });

  it('agrees with the native path on random binary secrets, both paddings', async () => {
    const p = pool();
    const native = nativeRsaDecrypt();
    for (const padding of ['pkcs1', 'oaep'] as const) {
      for (const size of [1, 16, 32, 100]) {
        const secret = randomBytes(size);
        const ciphertext = encrypt(secret, padding);
        const viaForge = await p.decrypt({ privateKeyPem: pair.privateKey, ciphertext, padding });
        const viaNative = await native(pair.privateKey, ciphertext, padding);
        expect(viaForge.equals(secret)).toBe(true);
        expect(viaNative.equals(viaForge)).toBe(true);
      }
    }
  });

  it('refuses requests beyond the queue bound with QUEUE_FULL', async () => {
    const p = pool({ workers: 1, maxQueue: 2 });
    const request = {
      privateKeyPem: pair.privateKey,
      ciphertext: encrypt('q', 'pkcs1'),
      padding: 'pkcs1' as const,
    };
    // The first goes straight to the worker; two wait; the fourth does not fit.
    const accepted = [p.decrypt(request), p.decrypt(request), p.decrypt(request)];
    await expect(p.decrypt(request)).rejects.toMatchObject({
      code: 'QUEUE_FULL',
      message: 'RSA decrypt queue holds at most 2 requests',
    });
    expect((await Promise.all(accepted)).map(String)).toEqual(['q', 'q', 'q']);
  });

  it('rejects in-flight, queued and later requests once closed', async () => {
    const p = new ForgeDecryptPool({ workers: 1 });
    const request = {
      privateKeyPem: pair.privateKey,
      ciphertext: encrypt('c', 'pkcs1'),
      padding: 'pkcs1' as const,
    };
    const inFlight = expect(p.decrypt(request)).rejects.toMatchObject({ code: 'POOL_CLOSED' });
    const queued = expect(p.decrypt(request)).rejects.toMatchObject({ code: 'POOL_CLOSED' });
    await p.close();
    await inFlight;
    await queued;
    await expect(p.decrypt(request)).rejects.toMatchObject({
      code: 'POOL_CLOSED',
      message: 'RSA decrypt pool is closed',
    });
    await p.close();
  });

  it('rejects the request of a crashed worker and replaces the worker', async () => {
    const p = pool({
      workers: 1,
      workerUrl: new URL('../fixtures/crashingDecryptWorker.mjs', import.meta.url),
    });
    const good = {
      privateKeyPem: pair.privateKey,
      ciphertext: encrypt('after', 'pkcs1'),
      padding: 'pkcs1' as const,
    };
    const crash = p.decrypt({ ...good, ciphertext: Buffer.alloc(0) });
    const queuedBehindCrash = p.decrypt(good);
    await expect(crash).rejects.toMatchObject({
      code: 'WORKER_CRASHED',
      message: 'RSA decrypt worker died mid-request: exit code 70',
    });
    expect((await queuedBehindCrash).toString()).toBe('after');
    expect((await p.decrypt(good)).toString()).toBe('after');
  });

  it('validates the worker count', () => {
    expect(() => new ForgeDecryptPool({ workers: 0 })).toThrow('workers must be an integer 1..64, got 0');
  });
});

describe('RsaKeyManager with each decrypt strategy', () => {
  let stub: StubUpstream;
  beforeEach(async () => {
    stub = await startStubUpstream();
    stub.route('/cgi-bin/chatdata/set_public_key', () => ({ json: { errcode: 0, errmsg: 'ok' } }));
  });
  afterEach(async () => stub.close());

  /** A key manager on the stub upstream, decrypting with `kind` (one worker) and `padding`. */
  async function keyManager(kind: Parameters<typeof createRsaDecrypt>[0], padding: RsaPadding) {
    const kv = new MemoryKeyValueStore();
    const ctx = wire(stub, kv);
    await ctx.tokens.setSuiteTicket('t', 1);
    const rsa = createRsaDecrypt(kind, { workers: 1 });
    const keys = new RsaKeyManager({
      store: new MemoryKeyStore(),
      kv,
      box: ctx.box,
      api: ctx.api,
      corps: ctx.corps,
      rsaPadding: padding,
      decrypt: rsa.decrypt,
      logger: silentLogger,
    });
    return { ctx, rsa, keys };
  }

  it.each([
    ['forge', 'pkcs1'],
    ['forge', 'oaep'],
    ['native', 'pkcs1'],
    ['native', 'oaep'],
  ] as const)('%s decrypts a %s secret key and maps a bad one to DECRYPT_FAILED', async (kind, padding) => {
    const { ctx, rsa, keys } = await keyManager(kind, padding);
    try {
      await seedCorp(ctx.corps, 'wwk');
      const { publicKeyPem } = await keys.rotate('wwk');
      const ct = encrypt('display-key', padding, publicKeyPem).toString('base64');
      // Concurrent asks for one message share a decrypt and all get the plaintext.
      const both = await Promise.all([
        keys.decryptSecretKey('wwk', 1, ct),
        keys.decryptSecretKey('wwk', 1, ct),
      ]);
      expect(both).toEqual(['display-key', 'display-key']);
      const foreign = encrypt('x', padding, other.publicKey).toString('base64');
      await expect(keys.decryptSecretKey('wwk', 1, foreign)).rejects.toMatchObject({
        name: 'KeyManagerError',
        code: 'DECRYPT_FAILED',
        message: `encrypted_secret_key does not decrypt with corp wwk key version 1 (${padding} padding)`,
      });
    } finally {
      await rsa.close();
      await ctx.http.close();
    }
  });

  it('passes pool failures through with their own code, not as DECRYPT_FAILED', async () => {
    const { ctx, rsa, keys } = await keyManager('forge', 'pkcs1');
    await seedCorp(ctx.corps, 'wwk');
    const { publicKeyPem } = await keys.rotate('wwk');
    await rsa.close();
    const ct = encrypt('k', 'pkcs1', publicKeyPem).toString('base64');
    await expect(keys.decryptSecretKey('wwk', 1, ct)).rejects.toMatchObject({ code: 'POOL_CLOSED' });
    await ctx.http.close();
  });
});
