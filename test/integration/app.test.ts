import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type Stack, startStack } from '../helpers/startStack.js';

describe('app shell: health, readiness, metrics, SSE, GraphiQL', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('/health answers 200 {status: ok}', async () => {
    const res = await fetch(`${stack.gatewayUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/metrics serves Prometheus text', async () => {
    const res = await fetch(`${stack.gatewayUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('process_cpu_user_seconds_total');
  });

  it('/metrics counts the read cache: a repeated page is served from memory', async () => {
    const reads = async () => {
      const text = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
      const value = (outcome: string) =>
        Number(
          text.match(new RegExp(`^wag_read_cache_reads_total\\{outcome="${outcome}"\\} (\\d+)`, 'm'))?.[1] ??
            0,
        );
      return { hit: value('hit'), miss: value('miss'), bypass: value('bypass') };
    };
    const page = () =>
      stack
        .client()
        .request(
          'query($c: String!) { corp(corpId: $c) { messages(first: 5, filter: { newestFirst: true }) { totalCount edges { cursor } } } }',
          { c: stack.corps[0]!.corpId },
        );
    await page();
    const before = await reads();
    await page();
    await page();
    const after = await reads();
    // Each page reads the corp record, the page and its count: six reads, all from memory.
    expect(after.hit - before.hit).toBeGreaterThanOrEqual(6);
    expect(after.miss - before.miss).toBe(0);
    expect(after.bypass).toBe(0);
  });

  it('serves a query over SSE with the Bearer key', async () => {
    const res = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${ADMIN_KEY}`,
      },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    expect(text).toContain('event: next');
    expect(text).toContain('"viewer":{"id":"admin"}');
  });

  it('serves GraphiQL to a browser with example operations', async () => {
    const res = await fetch(stack.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('ChatMembersAndConsents');
    // Everything from this gateway: no CDN, no absolute URL to fetch from.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toContain('<script src="/graphiql/graphiql.js">');
    expect((await fetch(`${stack.gatewayUrl}/graphiql/graphiql.js`)).status).toBe(200);
    expect(html).toContain('subscription LiveMessages');
    // The example operations open with a real corp id in the variables.
    const preset = /\\"corpId\\": \\"(\w+)\\"/.exec(html)?.[1];
    expect(stack.corps.map((c) => c.corpId)).toContain(preset);
  });

  it('/ready is 200 while the store and upstream answer, 503 once the upstream is gone', async () => {
    expect((await fetch(`${stack.gatewayUrl}/ready`)).status).toBe(200);
    await stack.sim.stop();
    const res = await fetch(`${stack.gatewayUrl}/ready`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'unavailable' });
  });
});
