import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryKeyValueStore } from '../../../../src/datasources/store/memory/MemoryKeyValueStore.js';
import { MemorySuiteTicketStore } from '../../../../src/datasources/store/memory/MemorySuiteTicketStore.js';
import type { KeyValueStore } from '../../../../src/datasources/store/ports.js';
import { createRedis } from '../../../../src/datasources/store/redis/createRedis.js';
import { RedisKeyValueStore } from '../../../../src/datasources/store/redis/RedisKeyValueStore.js';
import { silentLogger } from '../../../../src/logging/Logger.js';
import { purgePrefix, testRedisUrl, uniquePrefix } from '../../../helpers/redis.js';
import { failure, seedCorp, wire } from '../harness.js';
import { eventually } from '../store/kvContract.js';
import { type StubUpstream, startStubUpstream } from '../stubUpstream.js';

const CORP_TOKEN = '/cgi-bin/service/get_corp_token';
const SUITE_TOKEN = '/cgi-bin/service/get_suite_token';
const GETTOKEN = '/cgi-bin/gettoken';

let stub: StubUpstream;
let release: () => void;

/** Holds every get_corp_token answer until the test releases it, so all callers start cold. */
function gateCorpToken(): void {
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  stub.route(CORP_TOKEN, async ({ body }) => {
    await gate;
    const corpId = (body as { auth_corpid: string }).auth_corpid;
    return { json: { access_token: `gated-${corpId}`, expires_in: 7200 } };
  });
}

beforeEach(async () => {
  stub = await startStubUpstream();
});
afterEach(async () => {
  release?.();
  await stub.close();
});

async function coldCalls(chains: ReturnType<typeof wire>[], n: number): Promise<string[]> {
  const all = Promise.all(
    Array.from({ length: n }, (_, i) => chains[i % chains.length]!.tokens.getCorpToken('wwc')),
  );
  await stub.waitForCall(CORP_TOKEN);
  release();
  return all;
}

describe('token chain single-flight (memory)', () => {
  it('200 concurrent cold getCorpToken calls make one get_corp_token call', async () => {
    const ctx = wire(stub, new MemoryKeyValueStore());
    await ctx.tokens.setSuiteTicket('t', 1);
    await seedCorp(ctx.corps, 'wwc');
    gateCorpToken();
    const tokens = await coldCalls([ctx], 200);
    expect(new Set(tokens)).toEqual(new Set(['gated-wwc']));
    expect(stub.count(CORP_TOKEN)).toBe(1);
    expect(stub.count(SUITE_TOKEN)).toBe(1);
    await ctx.tokens.getCorpToken('wwc');
    expect(stub.count(CORP_TOKEN)).toBe(1);
    await ctx.http.close();
  });

  it('takes over a lock whose holder died', async () => {
    const kv = new MemoryKeyValueStore();
    const ctx = wire(stub, kv);
    await ctx.tokens.setSuiteTicket('t', 1);
    await seedCorp(ctx.corps, 'wwc');
    await kv.set('lock:token:corp:wwc', 'crashed-replica', 150);
    expect(await ctx.tokens.getCorpToken('wwc')).toMatch(/^corp-token-wwc-/);
    expect(stub.count(CORP_TOKEN)).toBe(1);
    await ctx.http.close();
  });

  it('refetches when the cached token reaches expires_in minus the margin', async () => {
    const ctx = wire(stub, new MemoryKeyValueStore());
    await ctx.tokens.setSuiteTicket('t', 1);
    await seedCorp(ctx.corps, 'wwc');
    let n = 0;
    // expires_in 301 with a 300 s margin: cached for 1 s only.
    stub.route(CORP_TOKEN, () => ({ json: { access_token: `short-${++n}`, expires_in: 301 } }));
    expect(await ctx.tokens.getCorpToken('wwc')).toBe('short-1');
    expect(await ctx.tokens.getCorpToken('wwc')).toBe('short-1');
    await eventually(async () => (await ctx.tokens.getCorpToken('wwc')) === 'short-2');
    expect(stub.count(CORP_TOKEN)).toBe(2);
    await ctx.http.close();
  });

  it('keeps the newest suite_ticket', async () => {
    const ctx = wire(stub, new MemoryKeyValueStore());
    await ctx.tokens.setSuiteTicket('newer', 2000);
    await ctx.tokens.setSuiteTicket('older', 1000);
    await ctx.tokens.getSuiteToken();
    expect(stub.calls.find((c) => c.path === SUITE_TOKEN)?.body).toMatchObject({ suite_ticket: 'newer' });
    await ctx.http.close();
  });

  it('invalidates a token only while it is still the cached one', async () => {
    const ctx = wire(stub, new MemoryKeyValueStore());
    await ctx.tokens.setSuiteTicket('t', 1);
    await seedCorp(ctx.corps, 'wwc');
    const first = await ctx.tokens.getCorpToken('wwc');
    await ctx.tokens.invalidateCorpToken('wwc', 'some-older-token');
    expect(await ctx.tokens.getCorpToken('wwc')).toBe(first);
    await ctx.tokens.invalidateCorpToken('wwc', first);
    expect(await ctx.tokens.getCorpToken('wwc')).not.toBe(first);
    await ctx.http.close();
  });
});

describe('token chain single-flight across replicas (redis)', () => {
  let prefix: string;
  const clients: { close(): Promise<void> }[] = [];
  beforeEach(() => {
    prefix = uniquePrefix('tokens');
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    await purgePrefix(prefix);
  });

  // The suite ticket lives in the store of record, which replicas share.
  const tickets = new MemorySuiteTicketStore();
  async function replica(): Promise<ReturnType<typeof wire>> {
    const redis = await createRedis(testRedisUrl, silentLogger);
    const kv: KeyValueStore = new RedisKeyValueStore(redis, { prefix, ownsClient: true });
    const ctx = wire(stub, kv, {}, tickets);
    clients.push(kv, ctx.http);
    return ctx;
  }

  it('two TokenChain instances sharing one prefix make one get_corp_token call for 200 cold calls', async () => {
    const a = await replica();
    const b = await replica();
    await a.tokens.setSuiteTicket('t', 1);
    await seedCorp(a.corps, 'wwc');
    gateCorpToken();
    const tokens = await coldCalls([a, b], 200);
    expect(new Set(tokens)).toEqual(new Set(['gated-wwc']));
    expect(stub.count(CORP_TOKEN)).toBe(1);
    expect(stub.count(SUITE_TOKEN)).toBe(1);
  });
});

describe('a 代开发 chain (appKind customized): corp tokens from gettoken, shared like the others', () => {
  let prefix: string;
  const clients: { close(): Promise<void> }[] = [];
  const tickets = new MemorySuiteTicketStore();
  beforeEach(() => {
    prefix = uniquePrefix('dkftokens');
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    await purgePrefix(prefix);
  });
  async function replica(): Promise<ReturnType<typeof wire>> {
    const redis = await createRedis(testRedisUrl, silentLogger);
    const kv: KeyValueStore = new RedisKeyValueStore(redis, { prefix, ownsClient: true });
    const ctx = wire(stub, kv, {}, tickets, 'customized');
    clients.push(kv, ctx.http);
    return ctx;
  }

  it('two replicas make one gettoken call (corpid + permanent code as corpsecret) for 200 cold calls, no suite token', async () => {
    const [a, b] = [await replica(), await replica()];
    await seedCorp(a.corps, 'wwc');
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    stub.route(GETTOKEN, async ({ query }) => {
      await gate;
      return {
        json: { errcode: 0, errmsg: 'ok', access_token: `dkf-${query.get('corpid')}`, expires_in: 7200 },
      };
    });
    const all = Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).tokens.getCorpToken('wwc')),
    );
    await stub.waitForCall(GETTOKEN);
    release();
    expect(new Set(await all)).toEqual(new Set(['dkf-wwc']));
    expect(stub.count(GETTOKEN)).toBe(1);
    const [call] = stub.calls.filter((c) => c.path === GETTOKEN);
    expect(Object.fromEntries(call!.query)).toEqual({ corpid: 'wwc', corpsecret: 'pc-wwc' });
    expect([stub.count(CORP_TOKEN), stub.count(SUITE_TOKEN)]).toEqual([0, 0]);
    // Invalidated like any corp token: the next call asks gettoken again.
    await b.tokens.invalidateCorpToken('wwc', 'dkf-wwc');
    await a.tokens.getCorpToken('wwc');
    expect(stub.count(GETTOKEN)).toBe(2);
  });

  it('a refused secret (40001) or corp (40013) is CORP_NOT_AUTHORIZED on gettoken; a busy one is not', async () => {
    const ctx = await replica();
    await seedCorp(ctx.corps, 'wwc');
    for (const errcode of [40001, 40013]) {
      stub.script(GETTOKEN, { json: { errcode, errmsg: 'invalid credential' } });
      const error = await failure(ctx.tokens.getCorpToken('wwc'));
      expect(error).toMatchObject({ code: 'CORP_NOT_AUTHORIZED', path: GETTOKEN, errcode, retryable: false });
      expect(error.message).not.toContain('pc-wwc');
    }
    stub.script(GETTOKEN, { json: { errcode: 48001, errmsg: 'api unauthorized' } });
    expect(await failure(ctx.tokens.getCorpToken('wwc'))).toMatchObject({
      code: 'UPSTREAM_ERROR',
      errcode: 48001,
    });
    // A success without errcode 0 is not gettoken's answer: refused by its schema.
    stub.script(GETTOKEN, { json: { access_token: 'x', expires_in: 7200 } });
    expect((await failure(ctx.tokens.getCorpToken('wwc'))).code).toBe('UPSTREAM_CONTRACT');
  });
});
