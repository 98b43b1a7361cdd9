import { afterEach, describe, expect, it } from 'vitest';
import type {
  CallbackEmitter,
  CallbackEmitterOptions,
} from '../../../simulator/callbacks/CallbackEmitter.js';
import { DEMO_SUITE } from '../../../src/config/config.js';
import { demoEmitter, startCallbackServer } from './callbackServer.js';
import { corpRecord, deferred, type LogEntry, recordingAuth, within } from './fakes.js';

type Gateway = Awaited<ReturnType<typeof startCallbackServer>>;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gateway(overrides: Parameters<typeof startCallbackServer>[0] = {}): Promise<Gateway> {
  const gw = await startCallbackServer(overrides);
  cleanups.push(gw.close);
  return gw;
}

function emitter(url: string, options: Partial<CallbackEmitterOptions> = {}): CallbackEmitter {
  return demoEmitter(url, (c) => cleanups.push(c), { ...options });
}

const SECRETS = {
  ticket: 'suite-ticket-SECRET-1',
  authCode: 'auth-code-SECRET-2',
  syncToken: 'sync-token-SECRET-3',
  keywordToken: 'keyword-token-SECRET-4',
  resetCode: 'reset-code-SECRET-5',
};

describe('CallbackEmitter → createCallbackHandler over real HTTP', () => {
  it('delivers every InfoType decoded to the port that owns it, and logs no secret', async () => {
    const gw = await gateway();
    const e = emitter(gw.url);
    const sends = await Promise.all([
      e.send('suite_ticket', { SuiteTicket: SECRETS.ticket }),
      e.send('create_auth', { AuthCode: SECRETS.authCode, State: 'st' }),
      e.send('change_auth', { AuthCorpId: 'wwcorpA' }),
      e.send('cancel_auth', { AuthCorpId: 'wwcorpB' }),
      e.send('conversation_new_message', { AuthCorpId: 'wwcorpA', Token: SECRETS.syncToken }),
      e.send('hit_keyword', { AuthCorpId: 'wwcorpA', Token: SECRETS.keywordToken }),
      e.send('chat_archive_audit_approved_single', {
        AuthCorpId: 'wwcorpA',
        OpenUserID: 'wo1',
        ExternalUserID: 'wm1',
      }),
      e.send('chat_archive_audit_approved_room', {
        AuthCorpId: 'wwcorpA',
        ExternalUserID: 'wm2',
        ChatId: 'wr1',
      }),
      e.send('chat_archive_export_finished', { AuthCorpId: 'wwcorpA', JobId: 'job-1' }),
      e.send('reset_permanent_code', { AuthCorpId: 'wwcorpA', AuthCode: SECRETS.resetCode }),
    ]);
    expect(sends.map((s) => [s.infoType, s.ok, s.attempts, s.lastStatus])).toEqual(
      sends.map((s) => [s.infoType, true, 1, 200]),
    );
    expect(gw.tickets.calls).toEqual([SECRETS.ticket]);
    expect(gw.authCalls.calls).toEqual(
      expect.arrayContaining([
        { method: 'createAuth', arg: SECRETS.authCode },
        { method: 'changeAuth', arg: 'wwcorpA' },
        { method: 'cancelAuth', arg: 'wwcorpB' },
      ]),
    );
    expect(gw.authCalls.calls).toHaveLength(3);
    const byType = new Map(gw.events.calls.map((event) => [event.InfoType, event]));
    expect(byType.size).toBe(6);
    const header = { SuiteId: DEMO_SUITE.suiteId, TimeStamp: expect.any(Number) };
    expect(byType.get('conversation_new_message')).toEqual({
      ...header,
      InfoType: 'conversation_new_message',
      AuthCorpId: 'wwcorpA',
      Token: SECRETS.syncToken,
    });
    expect(byType.get('hit_keyword')).toMatchObject({ Token: SECRETS.keywordToken });
    expect(byType.get('chat_archive_audit_approved_single')).toEqual({
      ...header,
      InfoType: 'chat_archive_audit_approved_single',
      AuthCorpId: 'wwcorpA',
      OpenUserID: 'wo1',
      ExternalUserID: 'wm1',
    });
    expect(byType.get('chat_archive_audit_approved_room')).toMatchObject({
      ExternalUserID: 'wm2',
      ChatId: 'wr1',
    });
    expect(byType.get('chat_archive_export_finished')).toMatchObject({ JobId: 'job-1' });
    expect(byType.get('reset_permanent_code')).toMatchObject({ AuthCode: SECRETS.resetCode });

    const logged = JSON.stringify(gw.logs.calls);
    for (const secret of [...Object.values(SECRETS), DEMO_SUITE.callbackAesKey, DEMO_SUITE.callbackToken]) {
      expect(logged).not.toContain(secret);
    }
    expect(logged).toContain('wwcorpA');
  });

  it('acknowledges an unknown InfoType, dispatches nothing, and counts it', async () => {
    const gw = await gateway();
    const delivery = await emitter(gw.url).send('something_new', { AuthCorpId: 'wwcorpA' });
    expect(delivery.ok).toBe(true);
    expect(gw.sideEffects()).toEqual([]);
    expect(gw.ignored.calls).toEqual([{ infoType: 'something_new', reason: 'unknown_info_type' }]);
    expect(gw.logs.calls.some((l) => l.msg?.includes('not acted on'))).toBe(true);
  });

  // The old parser refused any nested element, so WeCom resent these events forever.
  it('passes the expiry events with nested <ChatArchiveApi><Edition> on, edition read', async () => {
    const gw = await gateway();
    const e = emitter(gw.url);
    const sends = await Promise.all([
      e.send('advanced_api_expired', {
        ServiceCorpId: 'wwprovider',
        AuthCorpId: 'wwcorpA',
        ChatArchiveApi: { Edition: 2 },
      }),
      e.send('trial_expired', { AuthCorpId: 'wwcorpB', ChatArchiveApi: { Edition: 1 } }),
    ]);
    expect(sends.map((s) => s.ok)).toEqual([true, true]);
    const byType = new Map(gw.events.calls.map((event) => [event.InfoType, event]));
    expect(byType.get('advanced_api_expired')).toMatchObject({
      AuthCorpId: 'wwcorpA',
      'ChatArchiveApi.Edition': 2,
    });
    expect(byType.get('trial_expired')).toMatchObject({ AuthCorpId: 'wwcorpB', 'ChatArchiveApi.Edition': 1 });
  });

  it('tells the two apps apart: own callback crypto, own suite_ticket chain, display events queued', async () => {
    const displayTickets: [string, number][] = [];
    const display = {
      suiteId: 'wwsuitedisplay',
      callbackToken: 'displayToken9',
      callbackAesKey: 'D1s2p3l4a5y6O7w8n9K0e1y2A3b4c5d6e7f8g9h0i1j',
    };
    const gw = await gateway({
      displaySuite: display,
      displayTokens: { setSuiteTicket: async (ticket, ts) => void displayTickets.push([ticket, ts]) },
    });
    const displayEmitter = emitter(gw.url, {
      token: display.callbackToken,
      encodingAesKey: display.callbackAesKey,
      receiveId: display.suiteId,
    });
    const sends = await Promise.all([
      displayEmitter.send('suite_ticket', { SuiteTicket: 'display-ticket', TimeStamp: 1712540000 }),
      displayEmitter.send('create_auth', { AuthCode: 'display-auth-code' }),
      emitter(gw.url).send('suite_ticket', { SuiteTicket: 'archive-ticket' }),
      // Signed by the display app but naming the archive suite: not the display app's to send.
      displayEmitter.send('cancel_auth', { SuiteId: DEMO_SUITE.suiteId, AuthCorpId: 'wwcorpA' }),
    ]);
    expect(sends.map((s) => s.ok)).toEqual([true, true, true, true]);
    expect(displayTickets).toEqual([['display-ticket', 1712540000]]);
    expect(gw.tickets.calls).toEqual(['archive-ticket']);
    // The display app's authorization is the workers' to redeem, never the archive onboarding's.
    expect(gw.authCalls.calls).toEqual([]);
    expect(gw.events.calls).toEqual([
      expect.objectContaining({
        InfoType: 'create_auth',
        SuiteId: display.suiteId,
        AuthCode: 'display-auth-code',
      }),
    ]);
    expect(gw.ignored.calls).toEqual([{ infoType: 'cancel_auth', reason: 'foreign_suite' }]);
  });

  it('retries a handler that throws, and the retry is processed', async () => {
    const gw = await gateway();
    let failures = 1;
    gw.state.onEvent = async (event) => {
      if (failures-- > 0) throw new Error('inbox unavailable');
      gw.events.record(event);
    };
    const delivery = await emitter(gw.url).send('chat_archive_export_finished', {
      AuthCorpId: 'c',
      JobId: 'j',
    });
    expect(delivery).toMatchObject({ ok: true, attempts: 2, lastStatus: 200 });
    expect(gw.answers.calls).toEqual([503, 200]);
    expect(gw.onEventCalls.calls).toHaveLength(2);
    expect(gw.events.calls).toHaveLength(1);
  });

  it('gives up after `tries` when the handler keeps failing', async () => {
    const gw = await gateway();
    gw.state.onEvent = async () => {
      throw new Error('down');
    };
    const delivery = await emitter(gw.url, { tries: 2 }).send('hit_keyword', { AuthCorpId: 'c', Token: 't' });
    expect(delivery.ok).toBe(false);
    expect(delivery.attempts).toBe(2);
    expect(delivery.lastStatus).toBe(503);
    expect(delivery.lastError).toContain('DISPATCH_FAILED');
  });

  it('retries a receiver that does not answer within timeoutMs', async () => {
    const gw = await gateway();
    const firstAbandoned = deferred();
    gw.state.gate = async (_req, res, n) => {
      if (n > 1) return 'pass';
      // Hold the first request until the emitter gives up on it (its socket closes).
      await new Promise<void>((resolve) => res.once('close', () => resolve()));
      firstAbandoned.resolve();
      return 'drop';
    };
    const delivery = await emitter(gw.url, { timeoutMs: 150, tries: 3 }).send('change_auth', {
      AuthCorpId: 'wwcorpA',
    });
    await within(firstAbandoned.promise, 5000, 'the first attempt to be abandoned');
    expect(delivery).toMatchObject({ ok: true, attempts: 2 });
    expect(gw.authCalls.calls).toEqual([{ method: 'changeAuth', arg: 'wwcorpA' }]);
  });

  it('a retry arriving while the first attempt is still being handled does no harm', async () => {
    const gw = await gateway();
    const release = deferred();
    gw.state.onEvent = async (event) => {
      await release.promise;
      gw.events.record(event);
    };
    const sending = emitter(gw.url, { timeoutMs: 150, tries: 8, retryDelayMs: 20 }).send('hit_keyword', {
      AuthCorpId: 'wwcorpA',
      Token: 't',
    });
    // The emitter abandons attempt 1 (slow handler); attempt 2 finds it in progress: 409.
    await gw.answers.waitFor(1);
    expect(gw.answers.calls[0]).toBe(409);
    release.resolve();
    const delivery = await sending;
    expect(delivery.ok).toBe(true);
    expect(delivery.attempts).toBeGreaterThanOrEqual(3);
    expect(gw.onEventCalls.calls).toHaveLength(1);
    expect(gw.events.calls).toHaveLength(1);
  });

  it('acknowledges a slow create_auth at the budget and logs its late result', async () => {
    const slow = deferred<ReturnType<typeof corpRecord>>();
    const { auth } = recordingAuth(() => slow.promise);
    const gw = await gateway({ createAuthAckAfterMs: 50, auth });
    const delivery = await emitter(gw.url).send('create_auth', { AuthCode: SECRETS.authCode });
    expect(delivery).toMatchObject({ ok: true, attempts: 1 });
    const isLateLog = (l: LogEntry) => l.msg === 'create_auth finished after ack';
    expect(gw.logs.calls.some(isLateLog)).toBe(false);
    slow.resolve(corpRecord('wwlate'));
    while (!gw.logs.calls.some(isLateLog)) await gw.logs.waitFor(gw.logs.calls.length + 1);
    expect(gw.logs.calls.find(isLateLog)?.obj).toMatchObject({ corpId: 'wwlate' });
  });

  it('a create_auth that fails within the budget is answered 503 so WeCom retries', async () => {
    let failures = 1;
    const { auth, calls } = recordingAuth(async () => {
      if (failures-- > 0) throw new Error('upstream 40078');
      return corpRecord('wwok');
    });
    const gw = await gateway({ auth });
    const delivery = await emitter(gw.url).send('create_auth', { AuthCode: 'code' });
    expect(delivery).toMatchObject({ ok: true, attempts: 2 });
    expect(gw.answers.calls).toEqual([503, 200]);
    expect(calls.calls).toHaveLength(2);
  });

  it('close() aborts an in-flight attempt quickly and later sends fail fast', async () => {
    const gw = await gateway();
    const hold = deferred<'drop'>();
    gw.state.gate = () => hold.promise;
    cleanups.push(async () => hold.resolve('drop'));
    const e = emitter(gw.url, { timeoutMs: 60_000, tries: 5 });
    const sending = e.send('change_auth', { AuthCorpId: 'c' });
    await gw.arrivals.waitFor(1);
    await within(e.close(), 2000, 'close()');
    expect(await sending).toMatchObject({ ok: false, attempts: 1, lastError: 'emitter closed' });
    expect(await e.send('change_auth', { AuthCorpId: 'c' })).toMatchObject({ ok: false, attempts: 0 });
    expect(e.deliveries()).toHaveLength(2);
    expect(gw.sideEffects()).toEqual([]);
  });
});
