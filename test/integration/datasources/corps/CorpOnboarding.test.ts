import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CorpOnboarding,
  type OnboardingObservation,
} from '../../../../src/datasources/corps/CorpOnboarding.js';
import { authCodeRef } from '../../../../src/datasources/corps/redeemAuthCode.js';
import { KvTaskStore } from '../../../../src/datasources/store/memory/KvTaskStore.js';
import { MemoryKeyValueStore } from '../../../../src/datasources/store/memory/MemoryKeyValueStore.js';
import { MemoryPendingCancelStore } from '../../../../src/datasources/store/memory/MemoryPendingCancelStore.js';
import { silentLogger } from '../../../../src/logging/Logger.js';
import { keyManager, wire } from '../harness.js';
import { type StubUpstream, startStubUpstream } from '../stubUpstream.js';

const CORP_TOKEN = '/cgi-bin/service/get_corp_token';
const PERMANENT_CODE = '/cgi-bin/service/get_permanent_code';

let stub: StubUpstream;
beforeEach(async () => {
  stub = await startStubUpstream();
  stub.route('/cgi-bin/chatdata/set_public_key', () => ({ json: { errcode: 0, errmsg: 'ok' } }));
});
afterEach(async () => stub.close());

async function onboarding() {
  const kv = new MemoryKeyValueStore();
  const ctx = wire(stub, kv);
  await ctx.tokens.setSuiteTicket('t', 1);
  const keys = keyManager(ctx, kv);
  const tasks = new KvTaskStore(kv);
  const observed: OnboardingObservation[] = [];
  const cancels = new MemoryPendingCancelStore();
  const clock = { now: 1_000 };
  const auth = new CorpOnboarding({
    app: 'archive',
    api: ctx.api,
    corps: ctx.corps,
    tokens: ctx.tokens,
    kv,
    keys,
    tasks,
    cancels,
    observe: (what) => observed.push(what),
    logger: silentLogger,
    now: () => clock.now,
  });
  return { ...ctx, kv, keys, tasks, auth, observed, cancels, clock };
}

/** What WeCom answers the next get_corp_token once a corp cancelled. */
function cancelUpstream(): void {
  stub.script(CORP_TOKEN, { json: { errcode: 48004, errmsg: 'api forbidden: authorization cancelled' } });
}

describe('CorpOnboarding', () => {
  it('authorizes a corp: permanent code stored sealed, first key set upstream', async () => {
    const { auth, corps, kv, keys, http } = await onboarding();
    const record = await auth.createAuth('auth-wwnew');
    expect(record).toEqual({
      corpId: 'wwnew',
      name: 'Corp wwnew',
      status: 'ACTIVE',
      authorizedAt: 1_000,
      cancelledAt: null,
      publicKeyVersion: 1,
      agentId: null,
      needsPermanentCodeReset: false,
      archiveExpiry: null,
      authCodeRef: authCodeRef('auth-wwnew'),
    });
    expect(await corps.getPermanentCode('wwnew')).toBe('pc-wwnew');
    expect(await kv.get('corp:pc:wwnew')).toMatch(/^v1:/);
    expect((await keys.current('wwnew'))?.version).toBe(1);
    await http.close();
  });

  // A kill -9 during set_public_key leaves the key pending; the create_auth comes back. The
  // pending key the upstream has is the corp's key: no second version is set.
  it('a create_auth again after set_public_key lost its answers keeps the one pending key, no second', async () => {
    const { auth, corps, keys, http } = await onboarding();
    stub.script('/cgi-bin/chatdata/set_public_key', { drop: true }, { drop: true });
    await expect(auth.createAuth('auth-wwcrash')).rejects.toMatchObject({ code: 'UPSTREAM_OUTCOME_UNKNOWN' });
    expect(await keys.current('wwcrash')).toBeNull();
    const record = await auth.createAuth('auth-wwcrash');
    expect(record.publicKeyVersion).toBe(1);
    expect((await keys.current('wwcrash'))?.version).toBe(1);
    expect(await corps.get('wwcrash')).toMatchObject({ publicKeyVersion: 1 });
    // Three calls: the two lost, then the repair's question (answered: applied). No version 2.
    expect(stub.calls.filter((c) => c.path === '/cgi-bin/chatdata/set_public_key')).toHaveLength(3);
    await http.close();
  });

  it('a confirmed cancel forgets the corp and purges; authorizing again starts anew with a fresh key', async () => {
    const { auth, corps, keys, tasks, http } = await onboarding();
    const purged: string[] = [];
    // Each purge pass, and whether the corp was still registered then.
    auth.onCancel(
      async (corpId) => void purged.push(`${corpId} ${(await corps.get(corpId)) ? 'listed' : 'gone'}`),
    );
    await auth.createAuth('auth-wwre');
    await auth.createAuth('auth-wwre');
    await tasks.putExport({
      corpId: 'wwre',
      jobId: 'j1',
      createdAt: 1,
      status: 'WAITING',
      resultId: null,
      error: null,
    });

    cancelUpstream();
    const cancelled = await auth.cancelAuth('wwre');
    expect(cancelled).toMatchObject({ corpId: 'wwre', status: 'CANCELLED', cancelledAt: 1_000 });
    expect(await corps.get('wwre')).toBeNull();
    expect((await corps.list()).map((c) => c.corpId)).not.toContain('wwre');
    expect(await corps.getPermanentCode('wwre')).toBeNull();
    expect(await keys.current('wwre')).toBeNull();
    expect(await tasks.getExport('wwre', 'j1')).toBeNull();
    // Once before the registry row goes, once after (what a sync under way wrote meanwhile).
    expect(purged).toEqual(['wwre listed', 'wwre gone']);

    const again = await auth.createAuth('auth-wwre');
    // Nothing of the old authorization is kept, the key included: the stub, like WeCom, cleared
    // its side on the cancel, so version 1 is new to it again.
    expect(again).toMatchObject({ status: 'ACTIVE', cancelledAt: null, publicKeyVersion: 1 });
    await http.close();
  });

  // Issue 11: with the demo secrets, one forged cancel_auth purged a corp's archive. A cancel
  // the upstream does not confirm (the corp token is still granted) must change nothing.
  it('a cancel the upstream does not confirm changes nothing, and is counted', async () => {
    const { auth, corps, keys, http, observed } = await onboarding();
    const purged: string[] = [];
    auth.onCancel(async (corpId) => void purged.push(corpId));
    const before = await auth.createAuth('auth-wwkeep');
    expect(await auth.cancelAuth('wwkeep')).toBeNull();
    expect(await corps.get('wwkeep')).toEqual(before);
    expect(await corps.getPermanentCode('wwkeep')).toBe('pc-wwkeep');
    expect((await keys.current('wwkeep'))?.version).toBe(1);
    expect(purged).toEqual([]);
    expect(observed).toEqual(['cancel_unconfirmed']);
    await http.close();
  });

  // Issue 11's audit: an unconfirmed cancel was never asked about again, so a real cancel that
  // WeCom reflected a little late kept the corp's archive for good.
  it('an unconfirmed cancel is re-checked: applied once the upstream refuses the corp token', async () => {
    const { auth, corps, keys, http, observed, cancels, clock } = await onboarding();
    const purged: string[] = [];
    auth.onCancel(
      async (corpId) => void purged.push(`${corpId} ${(await corps.get(corpId)) ? 'listed' : 'gone'}`),
    );
    await auth.createAuth('auth-wwlate');
    expect(await auth.cancelAuth('wwlate')).toBeNull();
    expect(await cancels.list()).toEqual([{ corpId: 'wwlate', receivedAt: 1_000 }]);
    // Still granted on the next pass: nothing happens, the cancel stays pending.
    clock.now = 31_000;
    expect(await auth.recheckCancels()).toEqual([]);
    expect(await corps.get('wwlate')).toMatchObject({ status: 'ACTIVE' });
    // A pass that cannot ask (45009) leaves it for later.
    stub.script(CORP_TOKEN, { json: { errcode: 45009, errmsg: 'api freq out of limit' } });
    expect(await auth.recheckCancels()).toEqual([]);
    expect(await cancels.list()).toHaveLength(1);
    // The upstream now refuses the token: the cancel is applied like a confirmed one.
    clock.now = 61_000;
    cancelUpstream();
    const applied = await auth.recheckCancels();
    expect(applied).toEqual([
      expect.objectContaining({ corpId: 'wwlate', status: 'CANCELLED', cancelledAt: 61_000 }),
    ]);
    expect(await corps.get('wwlate')).toBeNull();
    expect(await keys.current('wwlate')).toBeNull();
    expect(purged).toEqual(['wwlate listed', 'wwlate gone']);
    expect(await cancels.list()).toEqual([]);
    expect(observed).toEqual(['cancel_unconfirmed', 'cancel_confirmed_late']);
    await http.close();
  });

  it('an unconfirmed cancel still unconfirmed after the window (1 h) is dropped and counted', async () => {
    const { auth, corps, http, observed, cancels, clock } = await onboarding();
    await auth.createAuth('auth-wwstays');
    await auth.cancelAuth('wwstays');
    clock.now = 1_000 + 3_600_000 - 1;
    await auth.recheckCancels();
    expect(await cancels.list()).toHaveLength(1);
    clock.now = 1_000 + 3_600_000;
    expect(await auth.recheckCancels()).toEqual([]);
    expect(await cancels.list()).toEqual([]);
    expect(await corps.get('wwstays')).toMatchObject({ status: 'ACTIVE' });
    expect(observed).toEqual(['cancel_unconfirmed', 'cancel_recheck_expired']);
    // Dropped: a refusal after the window changes nothing (only a new cancel_auth would).
    cancelUpstream();
    expect(await auth.recheckCancels()).toEqual([]);
    expect(await corps.get('wwstays')).not.toBeNull();
    await http.close();
  });

  it('a new authorization after an unconfirmed cancel supersedes it', async () => {
    const { auth, http, cancels } = await onboarding();
    await auth.createAuth('auth-wwback');
    await auth.cancelAuth('wwback');
    expect(await cancels.list()).toHaveLength(1);
    await auth.createAuth('auth-wwback');
    expect(await cancels.list()).toEqual([]);
    await http.close();
  });

  it('a confirmation that cannot be had now (timeout, 45009) throws, so the event is retried', async () => {
    const { auth, corps, http } = await onboarding();
    await auth.createAuth('auth-wwbusy');
    stub.script(CORP_TOKEN, { json: { errcode: 45009, errmsg: 'api freq out of limit' } });
    await expect(auth.cancelAuth('wwbusy')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(await corps.get('wwbusy')).toMatchObject({ status: 'ACTIVE' });
    await http.close();
  });

  it('reset_permanent_code stores the new permanent code and keeps the corp and its key', async () => {
    const { auth, corps, keys, http } = await onboarding();
    await auth.createAuth('auth-wwreset');
    stub.script(PERMANENT_CODE, {
      json: {
        errcode: 0,
        errmsg: 'ok',
        permanent_code: 'pc-wwreset-2',
        auth_corp_info: { corpid: 'wwreset' },
      },
    });
    const record = await auth.resetPermanentCode('reset-code-1');
    expect(record).toMatchObject({
      corpId: 'wwreset',
      status: 'ACTIVE',
      publicKeyVersion: 1,
      authorizedAt: 1_000,
    });
    expect(await corps.getPermanentCode('wwreset')).toBe('pc-wwreset-2');
    expect((await keys.current('wwreset'))?.version).toBe(1);
    await http.close();
  });

  it('keeps the archive edition and expiry of the expiry events on the corp', async () => {
    const { auth, corps, http } = await onboarding();
    await auth.createAuth('auth-wwexp');
    await auth.archiveExpired('wwexp', { kind: 'TRIAL', edition: 2, at: 5_000 });
    expect(await corps.get('wwexp')).toMatchObject({
      archiveEdition: 2,
      archiveExpiry: { kind: 'TRIAL', at: 5_000 },
    });
    await auth.archiveExpired('wwghost', { kind: 'PAID', edition: null, at: 6_000 });
    expect(await corps.get('wwghost')).toBeNull();
    await http.close();
  });

  it('ignores cancel_auth for an unknown corp', async () => {
    const { auth, corps, http } = await onboarding();
    expect(await auth.cancelAuth('wwghost')).toBeNull();
    expect(await corps.get('wwghost')).toBeNull();
    await http.close();
  });
});
