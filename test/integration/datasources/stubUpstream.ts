import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small WeCom-shaped HTTP server for datasource tests: it issues suite and corp tokens,
 * rejects unknown tokens the way WeCom does, counts calls per path, and lets a test script
 * replies (errcodes, HTTP statuses, delays, drifted bodies) per path.
 */
export type StubCall = {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: Buffer;
  body: unknown;
};
export type StubReply = {
  status?: number;
  json?: unknown;
  raw?: string;
  delayMs?: number;
  /** The request is taken, then the connection is closed without an answer. */
  drop?: boolean;
  /** The path's own handler runs (the call takes effect), then the connection closes unanswered. */
  lost?: boolean;
};
export type StubHandler = (call: StubCall) => StubReply | Promise<StubReply>;

export type StubUpstream = {
  url: string;
  calls: StubCall[];
  count(path: string): number;
  /** Replaces the default handler of `path`. */
  route(path: string, handler: StubHandler): void;
  /** One-shot replies served (in order) before the route's handler. */
  script(path: string, ...replies: StubReply[]): void;
  /** Resolves when the n-th call to `path` has arrived. */
  waitForCall(path: string, n?: number): Promise<void>;
  /** Makes every issued corp token invalid (as if expired upstream). */
  expireCorpTokens(): void;
  close(): Promise<void>;
};

export const SUITE_ID = 'wwsuite-test';
export const SUITE_SECRET = 'suite-secret-test';

export async function startStubUpstream(): Promise<StubUpstream> {
  const calls: StubCall[] = [];
  const scripts = new Map<string, StubReply[]>();
  const waiters: { path: string; n: number; resolve: () => void }[] = [];
  const suiteTokens = new Set<string>();
  const corpTokens = new Set<string>();
  let serial = 0;

  const envelope = (errcode: number, errmsg: string): StubReply => ({
    json: { errcode, errmsg: `${errmsg}, hint: [stub${serial}], from ip: 127.0.0.1` },
  });

  const routes = new Map<string, StubHandler>([
    [
      '/cgi-bin/service/get_suite_token',
      ({ body }) => {
        const b = body as { suite_id?: string; suite_secret?: string; suite_ticket?: string };
        if (b.suite_id !== SUITE_ID || b.suite_secret !== SUITE_SECRET)
          return envelope(40083, 'invalid suite_id');
        if (!b.suite_ticket) return envelope(40085, 'invalid suite_ticket');
        const token = `suite-token-${++serial}`;
        suiteTokens.add(token);
        return { json: { suite_access_token: token, expires_in: 7200 } };
      },
    ],
    [
      '/cgi-bin/service/get_corp_token',
      ({ query, body }) => {
        if (!suiteTokens.has(query.get('suite_access_token') ?? ''))
          return envelope(40082, 'invalid suite_token');
        const b = body as { auth_corpid?: string; permanent_code?: string };
        if (b.permanent_code !== `pc-${b.auth_corpid}`) return envelope(40084, 'invalid permanent_code');
        const token = `corp-token-${b.auth_corpid}-${++serial}`;
        corpTokens.add(token);
        return { json: { access_token: token, expires_in: 7200 } };
      },
    ],
    [
      '/cgi-bin/service/get_permanent_code',
      ({ query, body }) => {
        if (!suiteTokens.has(query.get('suite_access_token') ?? ''))
          return envelope(40082, 'invalid suite_token');
        const code = (body as { auth_code?: string }).auth_code ?? '';
        const corpId = code.replace(/^auth-/, '');
        return {
          json: {
            errcode: 0,
            errmsg: 'ok',
            permanent_code: `pc-${corpId}`,
            auth_corp_info: { corpid: corpId, corp_name: `Corp ${corpId}`, corp_type: 'verified' },
            auth_user_info: { open_userid: 'woADMIN', name: 'admin' },
          },
        };
      },
    ],
    ['/cgi-bin/chatdata/set_public_key', () => ({ json: { errcode: 0, errmsg: 'ok' } })],
    [
      '/cgi-bin/chatdata/sync_msg',
      () => ({ json: { errcode: 0, errmsg: 'ok', has_more: 0, next_cursor: 'c1', msg_list: [] } }),
    ],
    [
      '/cgi-bin/media/upload',
      () => ({
        json: { errcode: 0, errmsg: 'ok', type: 'file', media_id: 'media-1', created_at: '1712540000' },
      }),
    ],
  ]);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://stub');
    let body: unknown = null;
    if ((req.headers['content-type'] ?? '').includes('json')) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = null;
      }
    }
    const call: StubCall = { path: url.pathname, query: url.searchParams, headers: req.headers, raw, body };
    calls.push(call);
    const n = calls.filter((c) => c.path === call.path).length;
    for (const w of waiters.filter((w) => w.path === call.path && w.n <= n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
    let reply: StubReply;
    const scripted = scripts.get(call.path)?.shift();
    if (scripted?.lost) {
      await routes.get(call.path)?.(call);
      req.socket.destroy();
      return;
    }
    if (scripted) reply = scripted;
    else if (
      (call.path.startsWith('/cgi-bin/chatdata/') || call.path === '/cgi-bin/media/upload') &&
      !corpTokens.has(url.searchParams.get('access_token') ?? '')
    ) {
      reply = envelope(42001, 'access_token expired');
    } else reply = (await routes.get(call.path)?.(call)) ?? { status: 404, raw: 'not found' };
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    if (reply.drop) {
      res.socket?.destroy();
      return;
    }
    res.statusCode = reply.status ?? 200;
    res.setHeader('content-type', reply.raw === undefined ? 'application/json' : 'text/plain');
    res.end(reply.raw ?? JSON.stringify(reply.json ?? {}));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    count: (path) => calls.filter((c) => c.path === path).length,
    route: (path, handler) => routes.set(path, handler),
    script: (path, ...replies) => scripts.set(path, [...(scripts.get(path) ?? []), ...replies]),
    waitForCall: (path, n = 1) =>
      calls.filter((c) => c.path === path).length >= n
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ path, n, resolve })),
    expireCorpTokens: () => corpTokens.clear(),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
