import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../../src/embedded.js';
import { startDemo } from '../../helpers/startDemo.js';

/** What in a served file would make a browser fetch something from another host. */
const OFF_HOST: [string, RegExp][] = [
  ['url() to another host', /url\(\s*['"]?(?:https?:)?\/\//i],
  ['@import', /@import\b/i],
  ['importScripts from another host', /importScripts\(\s*['"`]?(?:https?:)?\/\//i],
  [
    'a CDN host',
    /unpkg\.com|jsdelivr\.net|googleapis\.com|gstatic\.com|cdnjs\.cloudflare\.com|\bcdn\.[a-z]/i,
  ],
];

/** The GraphiQL files the gateway serves (src/graphiql/createGraphiql.ts). */
const ASSETS = [
  '/graphiql/boot.js',
  '/graphiql/editor.worker.js',
  '/graphiql/env.js',
  '/graphiql/favicon.ico',
  '/graphiql/graphiql.css',
  '/graphiql/graphiql.js',
  '/graphiql/graphql.worker.js',
  '/graphiql/json.worker.js',
];

/**
 * "No CDN" without a browser: every file the GraphiQL page loads — those it names and the Monaco
 * workers env.js names — is served from /graphiql/ and names no other host to load from.
 */
describe('GraphiQL, read over HTTP', () => {
  let running: Running;
  const text = async (path: string) => {
    const res = await fetch(`${running.url}${path}`, { headers: { accept: 'text/html' } });
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return { type: res.headers.get('content-type') ?? '', body: await res.text() };
  };
  beforeAll(async () => {
    running = await startDemo();
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
  });

  it('every file the page and its workers load is on /graphiql/, and none names a CDN or another host', async () => {
    const page = (await text('/graphql')).body;
    expect(page).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    const named = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    const env = (await text('/graphiql/env.js')).body;
    const workers = [...env.matchAll(/'(\/graphiql\/[^']+)'/g)].map((m) => m[1]!);
    expect([...new Set([...named, ...workers])].sort()).toEqual(ASSETS);

    const found: string[] = [];
    for (const path of [...ASSETS.filter((p) => !p.endsWith('.ico')), '/graphql']) {
      const { type, body } = await text(path);
      if (path !== '/graphql') expect(type, path).toMatch(/^text\/(javascript|css)/);
      for (const [what, pattern] of OFF_HOST) {
        const m = pattern.exec(body);
        if (m) found.push(`${path}: ${what}: …${body.slice(Math.max(0, m.index - 40), m.index + 60)}…`);
      }
    }
    expect(found).toEqual([]);
  });

  it("the stylesheet's fonts (and images) are data: URLs inside it, not files", async () => {
    const css = (await text('/graphiql/graphiql.css')).body;
    const urls = [...css.matchAll(/url\(\s*['"]?([^'")]{0,32})/g)].map((m) => m[1]!);
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.filter((u) => !u.startsWith('data:'))).toEqual([]);
    const fonts = [...css.matchAll(/@font-face\s*\{[^}]*?src:\s*url\(\s*['"]?([a-z]+:[a-z]+\/[a-z0-9+]+)/g)];
    expect(fonts.length).toBeGreaterThan(0);
    expect(new Set(fonts.map((m) => m[1]!.split('/')[0]))).toEqual(new Set(['data:font']));
  });
});
