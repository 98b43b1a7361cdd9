import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type StaticFile, sendStaticFile, staticFile } from '../staticFiles/sendStaticFile.js';

export type ConsoleOptions = {
  /**
   * Base URL of a WeCom simulator whose `/__sim/render` shows message content (embedded mode);
   * null when the upstream is real WeCom, where only the display component can show content.
   */
  simulatorRenderBase: string | null;
  /** Directory of the static files. Default: `public/` beside this module. */
  dir?: string;
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
/** Only plain file names are served: no dot files, no sub-paths, so no traversal is expressible. */
const FILE_NAME = /^[a-z0-9][a-z0-9-]*\.(html|js|css|svg|png)$/;

/**
 * The live console at /console: a few static ES modules read once at start, plus
 * /console/config.json. Files are served from an allow-list built from the directory listing,
 * revalidated by ETag (no-cache), with nosniff and a CSP that allows only this origin (and the
 * simulator's render endpoint in embedded mode).
 */
export function createConsoleHandler(
  options: ConsoleOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const dir = options.dir ?? fileURLToPath(new URL('./public/', import.meta.url));
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    if (FILE_NAME.test(name))
      files.set(name, staticFile(readFileSync(join(dir, name)), TYPES[extname(name)]!));
  }
  const renderBase = options.simulatorRenderBase;
  files.set(
    'config.json',
    staticFile(
      Buffer.from(JSON.stringify({ simulatorRenderBase: renderBase })),
      'application/json; charset=utf-8',
    ),
  );
  const csp = [
    "default-src 'self'",
    `connect-src 'self'${renderBase ? ` ${new URL(renderBase).origin}` : ''}`,
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const name = path === '/console' || path === '/console/' ? 'index.html' : path.slice('/console/'.length);
    const file = files.get(name);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`no console file ${path}`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('the console is read with GET');
      return;
    }
    sendStaticFile(req, res, file, { 'referrer-policy': 'no-referrer', 'content-security-policy': csp });
  };
}
