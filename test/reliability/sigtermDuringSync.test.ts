import { createClient } from 'graphql-ws';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { expectExactlyOnce } from '../helpers/archiveCheck.js';
import { type MidSync, startMidSync } from '../helpers/midSyncHarness.js';
import { waitFor } from '../helpers/waitFor.js';
import { postGraphql, reportFigures } from './figures.js';

const RULES = '/cgi-bin/chatdata/keyword/get_rule_list';
const KEY = 'sigterm-key';

describe('SIGTERM during a sync', () => {
  let h: MidSync | undefined;
  afterAll(async () => h?.stop());

  it('finishes in-flight requests, closes graphql-ws with 1001, and loses or doubles no message', async () => {
    h = await startMidSync('sigterm', KEY, { LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '3000' });
    const { first, corpIds, counts, fault, index, sim } = h;

    // A live subscription and a slow request, both open when SIGTERM arrives.
    const closeCodes: number[] = [];
    const client = createClient({
      url: `${first.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${KEY}` },
      retryAttempts: 0,
      on: { closed: (event) => closeCodes.push((event as { code: number }).code) },
    });
    const subscribed = new Promise<void>((resolve) => {
      client.on('connected', () => resolve());
    });
    const ended = new Promise<void>((resolve) => {
      client.subscribe(
        {
          query: 'subscription($c: String!) { messageAdded(corpId: $c) { cursor } }',
          variables: { c: corpIds[0] },
        },
        { next: () => {}, error: () => resolve(), complete: () => resolve() },
      );
    });
    await subscribed;
    await fault({ path: RULES, delayMs: 1000, times: 1 });
    const slow = postGraphql(
      `${first.url}/graphql`,
      {
        query: 'query($c: String!) { corp(corpId: $c) { keywordRules(first: 1) { edges { cursor } } } }',
        variables: { c: corpIds[0] },
      },
      { authorization: `Bearer ${KEY}` },
    );
    await new Promise((r) => setTimeout(r, 200)); // the request is in flight upstream
    const stopping = first.stop(60_000);
    const slowResult = await slow;
    await stopping;
    await ended;
    await client.dispose();
    const atStop = await counts();
    const totals = h.totals();

    expect(slowResult.status).toBe(200);
    expect(slowResult.json.errors).toBeUndefined();
    expect(closeCodes).toContain(1001);
    expect(first.output()).toContain('stopping');

    await fetch(`${h.simUrl}/__sim/faults`, { method: 'DELETE' });
    await h.replace();
    await waitFor(
      'every corp caught up',
      async () => (await counts()).every((n, i) => n >= totals[i]!),
      40_000,
    );
    for (const corpId of corpIds) await expectExactlyOnce(index, sim, corpId);
    const final = await counts();
    reportFigures('sigterm during sync', {
      messages: totals.reduce((a, b) => a + b, 0),
      indexedAtStop: atStop.reduce((a, b) => a + b, 0),
      syncCutMidway: atStop.some((n, i) => n < totals[i]!) ? 'yes' : 'no',
      messagesLost: totals.reduce((a, b) => a + b, 0) - final.reduce((a, b) => a + b, 0),
      wsCloseCode: closeCodes.join(','),
    });
  }, 120_000);
});
