import { Readable } from 'node:stream';
import { encrypt, getSignature } from '@wecom/crypto';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  CallbackEmitter,
  CallbackEmitterOptions,
} from '../../../simulator/callbacks/CallbackEmitter.js';
import { DEMO_SUITE } from '../../../src/config/config.js';
import { demoEmitter, startCallbackServer, startCapturingServer } from './callbackServer.js';
import { deferred, within } from './fakes.js';

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
  return demoEmitter(url, (c) => cleanups.push(c), { tries: 2, retryDelayMs: 1, ...options });
}

/** The exact request an emitter posts, captured so it can be replayed byte for byte. */
async function capture(infoType: string, fields: Record<string, string>) {
  const capturing = await startCapturingServer();
  cleanups.push(capturing.close);
  await emitter(capturing.url).send(infoType, fields);
  return capturing.captured.calls[0]!;
}

async function post(gw: Gateway, pathAndQuery: string, body: string | Readable) {
  const url = new URL(pathAndQuery, gw.url);
  const response = await request(url, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    text,
    json: () => JSON.parse(text) as { code: string; message: string },
  };
}

function signedQuery(ciphertext: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const nonce = '12345';
  const msg_signature = getSignature(DEMO_SUITE.callbackToken, timestamp, nonce, ciphertext);
  return `/wecom/callback?${new URLSearchParams({ msg_signature, timestamp: String(timestamp), nonce })}`;
}

describe('callback replays', () => {
  it('a replay after success is acknowledged again and dispatches nothing', async () => {
    const gw = await gateway();
    const sent = await capture('change_auth', { AuthCorpId: 'wwcorpA' });
    expect((await post(gw, sent.pathAndQuery, sent.body)).text).toBe('success');
    for (let i = 0; i < 3; i++) {
      expect(await post(gw, sent.pathAndQuery, sent.body)).toMatchObject({ status: 200, text: 'success' });
    }
    expect(gw.authCalls.calls).toEqual([{ method: 'changeAuth', arg: 'wwcorpA' }]);
  });

  it('a replay while the original is being handled is rejected 409 REPLAY', async () => {
    const gw = await gateway();
    const release = deferred();
    gw.state.onEvent = async (event) => {
      await release.promise;
      gw.events.record(event);
    };
    const sent = await capture('conversation_new_message', { AuthCorpId: 'wwcorpA', Token: 't' });
    const original = post(gw, sent.pathAndQuery, sent.body);
    await gw.onEventCalls.waitFor(1);
    const replay = await within(post(gw, sent.pathAndQuery, sent.body), 5000, 'the replay answer');
    expect(replay.status).toBe(409);
    expect(replay.json().code).toBe('REPLAY');
    release.resolve();
    expect((await original).text).toBe('success');
    expect(gw.onEventCalls.calls).toHaveLength(1);
    expect(gw.events.calls).toHaveLength(1);
  });
});

describe('rejected callbacks change nothing', () => {
  it('a wrong signature is 401 BAD_SIGNATURE', async () => {
    const gw = await gateway();
    const sent = await capture('change_auth', { AuthCorpId: 'wwcorpA' });
    const forged = sent.pathAndQuery.replace(
      /msg_signature=([0-9a-f])/,
      (_, c: string) => `msg_signature=${c === '0' ? '1' : '0'}`,
    );
    const response = await post(gw, forged, sent.body);
    expect(response.status).toBe(401);
    expect(response.json().code).toBe('BAD_SIGNATURE');
    expect(gw.sideEffects()).toEqual([]);
    expect(await gw.kv.keys('')).toEqual([]);
  });

  it('an emitter with the wrong token is refused on every try', async () => {
    const gw = await gateway();
    const delivery = await emitter(gw.url, { token: 'wrongToken' }).send('cancel_auth', {
      AuthCorpId: 'wwcorpA',
    });
    expect(delivery).toMatchObject({ ok: false, attempts: 2, lastStatus: 401 });
    expect(delivery.lastError).toContain('BAD_SIGNATURE');
    expect(gw.sideEffects()).toEqual([]);
  });

  it('a ciphertext for another receiveid or under another AES key is 400 BAD_CIPHERTEXT', async () => {
    const gw = await gateway();
    const wrongId = await emitter(gw.url, { receiveId: 'wwother' }).send('cancel_auth', { AuthCorpId: 'c' });
    const wrongKey = await emitter(gw.url, { encodingAesKey: 'a'.repeat(43) }).send('cancel_auth', {
      AuthCorpId: 'c',
    });
    for (const delivery of [wrongId, wrongKey]) {
      expect(delivery).toMatchObject({ ok: false, lastStatus: 400 });
      expect(delivery.lastError).toContain('BAD_CIPHERTEXT');
    }
    expect(gw.sideEffects()).toEqual([]);
  });

  // Well-signed and decryptable means it is WeCom's: refusing it would only make WeCom resend it
  // forever (issue 11, point 2). It is acknowledged, not acted on, and logged and counted.
  it('a well-signed event missing a required field is acknowledged, acts on nothing, and is counted', async () => {
    const gw = await gateway();
    const delivery = await emitter(gw.url).send('conversation_new_message', { AuthCorpId: 'c' });
    expect(delivery).toMatchObject({ ok: true, attempts: 1, lastStatus: 200 });
    expect(gw.sideEffects()).toEqual([]);
    expect(gw.ignored.calls).toEqual([{ infoType: 'conversation_new_message', reason: 'unusable' }]);
    const logged = gw.logs.calls.find((l) => l.level === 'error');
    expect(JSON.stringify(logged)).toContain('conversation_new_message: Token is required but missing');
  });

  it('a well-signed event naming another suite is acknowledged and acts on nothing', async () => {
    const gw = await gateway();
    const delivery = await emitter(gw.url).send('suite_ticket', { SuiteId: 'wwother', SuiteTicket: 't' });
    expect(delivery).toMatchObject({ ok: true, lastStatus: 200 });
    expect(gw.sideEffects()).toEqual([]);
    expect(gw.ignored.calls).toEqual([{ infoType: 'suite_ticket', reason: 'foreign_suite' }]);
  });

  it.each([
    ['not XML', 'hello'],
    ['no Encrypt', '<xml><ToUserName>x</ToUserName></xml>'],
    ['a DOCTYPE', '<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>'],
  ])('a body with %s is 400 BAD_EVENT', async (_, body) => {
    const gw = await gateway();
    const response = await post(gw, signedQuery('QUJD'), body);
    expect(response.status).toBe(400);
    expect(response.json().code).toBe('BAD_EVENT');
    expect(gw.sideEffects()).toEqual([]);
  });

  it('accepts events whose receiveid is the provider corpid', async () => {
    const gw = await gateway({ providerCorpId: 'wwprovider01' });
    const delivery = await emitter(gw.url, { receiveId: 'wwprovider01' }).send('change_auth', {
      SuiteId: DEMO_SUITE.suiteId,
      AuthCorpId: 'wwcorpA',
    });
    expect(delivery).toMatchObject({ ok: true, lastStatus: 200 });
    expect(gw.authCalls.calls).toEqual([{ method: 'changeAuth', arg: 'wwcorpA' }]);
  });

  it('a stale but correctly signed request is 401 STALE_TIMESTAMP', async () => {
    const gw = await gateway();
    const ciphertext = encrypt(
      DEMO_SUITE.callbackAesKey,
      '<xml><InfoType>x</InfoType></xml>',
      DEMO_SUITE.suiteId,
    );
    const stale = Math.floor(Date.now() / 1000) - 3600;
    const response = await post(
      gw,
      signedQuery(ciphertext, stale),
      `<xml><Encrypt>${ciphertext}</Encrypt></xml>`,
    );
    expect(response.status).toBe(401);
    expect(response.json().code).toBe('STALE_TIMESTAMP');
  });

  it('missing query parameters are 400 BAD_CALLBACK_REQUEST naming them', async () => {
    const gw = await gateway();
    const response = await post(gw, '/wecom/callback?timestamp=1', '<xml/>');
    expect(response.status).toBe(400);
    expect(response.json()).toEqual({
      code: 'BAD_CALLBACK_REQUEST',
      message: 'query must carry msg_signature, timestamp and nonce; missing msg_signature, nonce',
    });
  });

  it('a body over 64 KiB is 413, with or without Content-Length', async () => {
    const gw = await gateway();
    const huge = `<xml><Encrypt>${'A'.repeat(70 * 1024)}</Encrypt></xml>`;
    const declared = await post(gw, signedQuery('QUJD'), huge);
    expect(declared.status).toBe(413);
    expect(declared.json().code).toBe('BODY_TOO_LARGE');
    const chunked = await post(
      gw,
      signedQuery('QUJD'),
      Readable.from([huge.slice(0, 40_000), huge.slice(40_000)]),
    );
    expect(chunked.status).toBe(413);
    expect(gw.sideEffects()).toEqual([]);
  });

  it('other methods are 405', async () => {
    const gw = await gateway();
    const response = await request(gw.url, { method: 'PUT', body: 'x' });
    expect(response.statusCode).toBe(405);
    expect(response.headers['allow']).toBe('GET, POST');
    await response.body.dump();
  });
});

describe('URL verification', () => {
  it('answers the decrypted echostr verbatim as text/plain', async () => {
    const gw = await gateway();
    const echostr = encrypt(DEMO_SUITE.callbackAesKey, '8125432017765129+/', DEMO_SUITE.suiteId);
    const query = new URL(signedQuery(echostr), gw.url);
    query.searchParams.set('echostr', echostr);
    const response = await request(query);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(await response.body.text()).toBe('8125432017765129+/');
  });

  // WeCom checks a saved URL with receiveid = the provider's own corpid (docs/upstream.md §8.1); the old
  // gateway accepted only the suite id and so could never have its URL saved.
  it('accepts the echostr of the provider corpid, and refuses any other receiveid', async () => {
    const gw = await gateway({ providerCorpId: 'wwprovider01' });
    const get = async (receiveId: string) => {
      const echostr = encrypt(DEMO_SUITE.callbackAesKey, '5927358262178462', receiveId);
      const query = new URL(signedQuery(echostr), gw.url);
      query.searchParams.set('echostr', echostr);
      const response = await request(query);
      return { status: response.statusCode, text: await response.body.text() };
    };
    expect(await get('wwprovider01')).toEqual({ status: 200, text: '5927358262178462' });
    expect(await get(DEMO_SUITE.suiteId)).toEqual({ status: 200, text: '5927358262178462' });
    const other = await get('wwsomeoneelse');
    expect(other.status).toBe(400);
    expect(JSON.parse(other.text).code).toBe('BAD_CIPHERTEXT');
  });

  it('rejects an echostr signed with another token', async () => {
    const gw = await gateway();
    const echostr = encrypt(DEMO_SUITE.callbackAesKey, 'x', DEMO_SUITE.suiteId);
    const query = new URL(signedQuery(`${echostr}tampered`), gw.url);
    query.searchParams.set('echostr', echostr);
    const response = await request(query);
    expect(response.statusCode).toBe(401);
    expect(((await response.body.json()) as { code: string }).code).toBe('BAD_SIGNATURE');
  });
});
