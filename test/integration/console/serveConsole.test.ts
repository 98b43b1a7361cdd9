import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../../helpers/startStack.js';

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** Raw HTTP, so paths reach the server exactly as written (fetch would normalise `..`). */
function raw(
  base: string,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the /console route', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      sim: { backlogPerCorp: 0 },
      env: (simUrl) => ({ CONSOLE_SIMULATOR_URL: simUrl }),
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves the page, its modules and stylesheet with their content types, nosniff and a CSP', async () => {
    for (const [path, type] of [
      ['/console', 'text/html; charset=utf-8'],
      ['/console/', 'text/html; charset=utf-8'],
      ['/console/app.js', 'text/javascript; charset=utf-8'],
      ['/console/gql.js', 'text/javascript; charset=utf-8'],
      ['/console/style.css', 'text/css; charset=utf-8'],
    ] as const) {
      const res = await raw(stack.gatewayUrl, path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type']).toBe(type);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain(`connect-src 'self' ${stack.simUrl}`);
    }
    expect((await raw(stack.gatewayUrl, '/console')).body).toContain(
      '<script type="module" src="/console/app.js">',
    );
  });

  it('tells the page where the simulator renders content', async () => {
    const res = await raw(stack.gatewayUrl, '/console/config.json');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).toEqual({ simulatorRenderBase: stack.simUrl });
  });

  it('revalidates by ETag (304) and answers HEAD without a body', async () => {
    const first = await raw(stack.gatewayUrl, '/console/app.js');
    const etag = String(first.headers['etag']);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await raw(stack.gatewayUrl, '/console/app.js', 'GET', { 'if-none-match': etag });
    expect([again.status, again.body]).toEqual([304, '']);
    const head = await raw(stack.gatewayUrl, '/console/app.js', 'HEAD');
    expect([head.status, head.body, head.headers['content-length']]).toEqual([
      200,
      '',
      String(first.body.length),
    ]);
    expect((await raw(stack.gatewayUrl, '/console/app.js', 'POST')).status).toBe(405);
  });

  it('serves nothing outside its own files: no traversal, no dot files, no source', async () => {
    for (const path of [
      '/console/../package.json',
      '/console/..%2Fpackage.json',
      '/console/%2e%2e/%2e%2e/config/config.ts',
      '/console/serveConsole.ts',
      '/console/public/app.js',
      '/console/.env',
      '/console/nope.js',
    ]) {
      const res = await raw(stack.gatewayUrl, path);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain('"dependencies"');
    }
  });

  it('lets a browser page read the simulator render endpoint (CORS on that endpoint only)', async () => {
    const render = await fetch(`${stack.simUrl}/__sim/render?msgid=x&secret_key=y`);
    expect(render.status).toBe(404);
    expect(render.headers.get('access-control-allow-origin')).toBe('*');
    const corps = await fetch(`${stack.simUrl}/__sim/corps`);
    expect(corps.headers.get('access-control-allow-origin')).toBeNull();
  });
});
