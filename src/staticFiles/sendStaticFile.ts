import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A file served from memory, with the ETag it is revalidated by. */
export type StaticFile = { body: Buffer; type: string; etag: string };

export function staticFile(content: string | Buffer, type: string): StaticFile {
  const body = typeof content === 'string' ? Buffer.from(content) : content;
  return { body, type, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
}

/**
 * GET/HEAD of an in-memory file: revalidated every time (no-cache + ETag, so never stale after a
 * deploy and 304 when unchanged), nosniff. `body` overrides the bytes sent (e.g. gzipped, with
 * its content-encoding in `headers`).
 */
export function sendStaticFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: StaticFile,
  headers: Record<string, string> = {},
  body: Buffer = file.body,
): void {
  const all: Record<string, string> = {
    'content-type': file.type,
    etag: file.etag,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    ...headers,
  };
  if (req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, all);
    res.end();
    return;
  }
  res.writeHead(200, { ...all, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}
