import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../../src/embedded.js';
import { startDemo } from '../../helpers/startDemo.js';
import { type Stack, startStack } from '../../helpers/startStack.js';

/** GET / and the links on it, each fetched (a browser asks for HTML). */
async function landing(
  base: string,
): Promise<{ html: string; links: string[]; statuses: Record<string, number> }> {
  const res = await fetch(`${base}/`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  const html = await res.text();
  const links = [...html.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]!);
  const statuses: Record<string, number> = {};
  for (const href of links) {
    statuses[href] = (await fetch(new URL(href, base), { headers: { accept: 'text/html' } })).status;
  }
  return { html, links, statuses };
}

const allOk = (links: string[]) => Object.fromEntries(links.map((href) => [href, 200]));

describe('GET / in embedded mode', () => {
  let running: Running;
  beforeAll(async () => {
    running = await startDemo();
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
  });

  it('says what this is, shows the demo key, and every link on it answers 200', async () => {
    const { html, links, statuses } = await landing(running.url);
    expect(html).toContain('<h1>WeCom archive gateway</h1>');
    expect(html).toContain('API key: <code>demo-key</code>');
    expect(html).toContain('Authorization: Bearer demo-key');
    expect(html).toContain(`${running.simulatorUrl}/__sim/corps`);
    expect(links).toEqual(['/graphql', '/console', '/health', '/ready', '/metrics', '/schema.graphql']);
    expect(statuses).toEqual(allOk(links));
    const head = await fetch(`${running.url}/`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });
});

describe('GET / in upstream mode', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sim: { backlogPerCorp: 0 } });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('shows no key, no schema link (introspection is not public), and every link on it answers 200', async () => {
    const { html, links, statuses } = await landing(stack.gatewayUrl);
    expect(html).toContain('<h1>WeCom archive gateway</h1>');
    expect(html).toContain('Upstream: real WeCom. API keys come from <code>GATEWAY_CLIENTS</code>.');
    expect(html).not.toMatch(/demo-key|Bearer|API key:|__sim/);
    expect(links).toEqual(['/graphql', '/console', '/health', '/ready', '/metrics']);
    expect(statuses).toEqual(allOk(links));
    expect((await fetch(`${stack.gatewayUrl}/schema.graphql`)).status).toBe(404);
  });
});
