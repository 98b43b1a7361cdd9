import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type StaticFile, sendStaticFile, staticFile } from '../staticFiles/sendStaticFile.js';
import { GRAPHIQL_BOOT_SCRIPT, GRAPHIQL_ENV_SCRIPT } from './graphiqlBootScripts.js';

const gzipAsync = promisify(gzip);

/** What the page hands GraphiQL (yoga's `renderYogaGraphiQL` options) plus our storage namespace. */
export type GraphiqlPageOptions = Record<string, unknown> & { title?: string };

type Asset = StaticFile & { gzipped?: Promise<Buffer> };

/** The page's CSP: everything from this origin; Monaco and React set inline styles, fonts are data: URLs. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "worker-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * GraphiQL served by the gateway itself, with nothing from a CDN: yoga's own GraphiQL build
 * (`@graphql-yoga/render-graphiql`, the same app yoga loads from unpkg by default) is split into
 * files under /graphiql/ — script, styles, Monaco's three workers, favicon — read from the
 * installed package on first use (9 MB of strings the gateway does not hold until someone opens
 * GraphiQL), gzipped once, revalidated by ETag. `render` is yoga's `renderGraphiQL`: the page
 * itself is small and per request (it carries the prepared tabs).
 */
export function createGraphiql(): {
  render(options: GraphiqlPageOptions): string;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
} {
  let assets: Promise<Map<string, Asset>> | null = null;
  const load = (): Promise<Map<string, Asset>> => {
    assets ??= import('@graphql-yoga/render-graphiql/graphiql').then((bundle) => {
      const js = 'text/javascript; charset=utf-8';
      const favicon = /^data:[^;]+;base64,(.*)$/.exec(bundle.favicon)?.[1] ?? '';
      return new Map<string, Asset>([
        ['graphiql.js', staticFile(bundle.js, js)],
        ['graphiql.css', staticFile(bundle.css, 'text/css; charset=utf-8')],
        ['editor.worker.js', staticFile(bundle.editorWorkerService, js)],
        ['json.worker.js', staticFile(bundle.jsonWorker, js)],
        ['graphql.worker.js', staticFile(bundle.graphqlWorker, js)],
        ['env.js', staticFile(GRAPHIQL_ENV_SCRIPT, js)],
        ['boot.js', staticFile(GRAPHIQL_BOOT_SCRIPT, js)],
        ['favicon.ico', staticFile(Buffer.from(favicon, 'base64'), 'image/x-icon')],
      ]);
    });
    assets.catch(() => {
      assets = null;
    });
    return assets;
  };

  return {
    render(options) {
      const title = escapeHtml(String(options.title ?? 'GraphiQL'));
      // `<` escaped so no option value can close the script element.
      const json = JSON.stringify(options).replace(/</g, '\\u003c');
      return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta http-equiv="Content-Security-Policy" content="${CSP}" />
<title>${title}</title>
<link rel="icon" href="/graphiql/favicon.ico" />
<link rel="stylesheet" href="/graphiql/graphiql.css" />
</head>
<body id="body" class="no-focus-outline">
<noscript>GraphiQL needs JavaScript.</noscript>
<div id="root"></div>
<script type="application/json" id="graphiql-options">${json}</script>
<script src="/graphiql/env.js"></script>
<script src="/graphiql/graphiql.js"></script>
<script src="/graphiql/boot.js"></script>
</body>
</html>
`;
    },
    async handle(req, res) {
      const name = (req.url ?? '/').split('?')[0]!.slice('/graphiql/'.length);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
        res.end('GraphiQL files are read with GET');
        return;
      }
      const file = (await load()).get(name);
      if (!file) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`no GraphiQL file ${name}; GraphiQL itself is at /graphql`);
        return;
      }
      if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && file.body.length > 1024) {
        file.gzipped ??= gzipAsync(file.body);
        const gzipped = await file.gzipped;
        sendStaticFile(req, res, file, { vary: 'accept-encoding', 'content-encoding': 'gzip' }, gzipped);
        return;
      }
      sendStaticFile(req, res, file, { vary: 'accept-encoding' });
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
