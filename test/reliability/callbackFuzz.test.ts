import { randomBytes } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdata, envelopeXml, eventXml } from '../../simulator/callbacks/callbackXml.js';
import { type Stack, startStack } from '../helpers/startStack.js';
import { TEST_APPS_ENV } from '../helpers/testApps.js';
import { waitFor } from '../helpers/waitFor.js';
import { reportFigures } from './figures.js';

const SYNC = '/cgi-bin/chatdata/sync_msg';
/** The stack's archive app (startStack runs the gateway in upstream mode with these). */
const SUITE = {
  suiteId: TEST_APPS_ENV.WECOM_SUITE_ID,
  callbackToken: TEST_APPS_ENV.WECOM_CALLBACK_TOKEN,
  callbackAesKey: TEST_APPS_ENV.WECOM_CALLBACK_AES_KEY,
};
type Calls = Record<string, number>;

function sealed(plaintext: string, opts: { token?: string; timestamp?: number; nonce?: string } = {}) {
  const ciphertext = encrypt(SUITE.callbackAesKey, plaintext, SUITE.suiteId);
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const nonce = opts.nonce ?? randomBytes(6).toString('hex');
  const msg_signature = getSignature(opts.token ?? SUITE.callbackToken, timestamp, nonce, ciphertext);
  return {
    query: new URLSearchParams({ msg_signature, timestamp: String(timestamp), nonce }).toString(),
    body: envelopeXml(SUITE.suiteId, ciphertext),
    ciphertext,
  };
}

function newMessageXml(corpId: string): string {
  return eventXml([
    ['SuiteId', SUITE.suiteId],
    ['InfoType', 'conversation_new_message'],
    ['TimeStamp', Math.floor(Date.now() / 1000)],
    ['AuthCorpId', corpId],
    ['Token', `fuzz${randomBytes(8).toString('hex')}`],
  ]);
}

const BILLION_LAUGHS = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>`;

describe('callback fuzzing: every hostile delivery rejected or ignored, nothing triggered', () => {
  let stack: Stack;
  let corpId: string;
  const figures = {
    deliveries: 0,
    rejected: 0,
    acknowledgedIgnored: 0,
    acceptedReplays: 0,
    syncCallsTriggered: 0,
  };
  beforeAll(async () => {
    stack = await startStack();
    corpId = stack.corps[0]!.corpId;
  });
  afterAll(async () => {
    reportFigures('callback fuzzing', figures);
    await stack?.stop();
  });

  async function deliver(
    query: string,
    body: string | Uint8Array,
  ): Promise<{ status: number; text: string }> {
    figures.deliveries++;
    const res = await fetch(`${stack.gatewayUrl}/wecom/callback?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: typeof body === 'string' ? body : Buffer.from(body),
    });
    return { status: res.status, text: await res.text() };
  }

  async function expectRejected(query: string, body: string | Uint8Array): Promise<void> {
    const res = await deliver(query, body);
    expect(res.status, res.text).toBeGreaterThanOrEqual(400);
    expect(res.text).not.toBe('success');
    figures.rejected++;
  }

  async function expectIgnored(query: string, body: string): Promise<void> {
    expect(await deliver(query, body)).toEqual({ status: 200, text: 'success' });
    figures.acknowledgedIgnored++;
  }

  async function snapshot() {
    const { calls } = await stack.simGet<{ calls: Calls }>('/__sim/stats');
    const seqs = await Promise.all(stack.corps.map((c) => stack.app.ingest.index.lastSeq(c.corpId)));
    return { syncCalls: calls[SYNC] ?? 0, seqs, depth: await stack.app.ingest.inbox.depth() };
  }

  it('random bytes, wrong signatures, truncated and hostile XML: all 4xx (or, well-signed, ignored), and nothing ran', async () => {
    const before = await snapshot();
    const valid = sealed(newMessageXml(corpId));
    for (let i = 0; i < 60; i++) {
      await expectRejected(valid.query, randomBytes(1 + Math.floor(Math.random() * 2000)));
    }
    // A random query string with a valid body.
    for (let i = 0; i < 20; i++) {
      const q = new URLSearchParams({
        msg_signature: randomBytes(20).toString('hex'),
        timestamp: String(Math.floor(Date.now() / 1000)),
        nonce: randomBytes(4).toString('hex'),
      });
      await expectRejected(q.toString(), valid.body);
    }
    // Signed with another token.
    const forged = sealed(newMessageXml(corpId), { token: 'not-the-callback-token' });
    await expectRejected(forged.query, forged.body);
    // Stale: a signature that is valid but outside the clock-skew window (a late replay).
    const stale = sealed(newMessageXml(corpId), { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    await expectRejected(stale.query, stale.body);
    // Truncated at every tenth position.
    for (let cut = 1; cut < valid.body.length - 1; cut += Math.ceil(valid.body.length / 40)) {
      await expectRejected(valid.query, valid.body.slice(0, cut));
    }
    // Entity expansion in the envelope is refused before anything is decrypted.
    await expectRejected(valid.query, `${BILLION_LAUGHS}<xml><Encrypt>&lol3;</Encrypt></xml>`);
    // Inside a correctly signed and encrypted event it is WeCom's own delivery (only it holds the
    // Token and AESKey): acknowledged so it is not resent forever, never parsed, nothing queued.
    const inner = sealed(
      `${BILLION_LAUGHS}<xml><SuiteId>${cdata(SUITE.suiteId)}</SuiteId><InfoType>conversation_new_message</InfoType><AuthCorpId>${corpId}</AuthCorpId><Token>&lol3;</Token><TimeStamp>1</TimeStamp></xml>`,
    );
    await expectIgnored(inner.query, inner.body);
    // A signed event for another suite: the same; and an unsigned one is refused.
    const otherSuite = sealed(newMessageXml(corpId).replace(SUITE.suiteId, 'wwsuiteOTHER'));
    await expectIgnored(otherSuite.query, otherSuite.body);
    await expectRejected('', valid.body);
    // Oversized.
    await expectRejected(valid.query, `<xml><Encrypt>${'A'.repeat(200_000)}</Encrypt></xml>`);

    const after = await snapshot();
    expect(after.seqs).toEqual(before.seqs);
    expect(after.syncCalls).toBe(before.syncCalls);
    expect(after.depth).toBe(0);
  });

  it('replays of a handled delivery are acknowledged but trigger nothing', async () => {
    const original = sealed(newMessageXml(corpId));
    expect((await deliver(original.query, original.body)).text).toBe('success');
    await waitFor('the triggered sync ran', async () => (await snapshot()).syncCalls > 0);
    await waitFor('the inbox drained', async () => (await stack.app.ingest.inbox.depth()) === 0);
    await stack.simPost('/__sim/stats/reset');
    for (let i = 0; i < 10; i++) {
      const res = await deliver(original.query, original.body);
      expect(res).toEqual({ status: 200, text: 'success' });
      figures.acceptedReplays++;
    }
    // A replay queues nothing, so nothing can call sync_msg.
    expect(await stack.app.ingest.inbox.depth()).toBe(0);
    const { calls } = await stack.simGet<{ calls: Calls }>('/__sim/stats');
    figures.syncCallsTriggered = calls[SYNC] ?? 0;
    expect(calls[SYNC] ?? 0).toBe(0);
  });
});
