import type { IncomingMessage } from 'node:http';

const MAX_BODY = 20 * 1024 * 1024;

/** The raw request body, capped so a client cannot exhaust memory. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new Error(`request body over ${MAX_BODY} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** The named file part of a multipart/form-data body, or null. */
export function multipartFile(
  body: Buffer,
  contentType: string,
  field: string,
): { filename: string; data: Buffer } | null {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return null;
  const text = body.toString('latin1');
  for (const part of text.split(`--${boundary}`)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const headers = part.slice(0, headerEnd);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (name !== field) continue;
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1] ?? 'file';
    const data = part.slice(headerEnd + 4).replace(/\r\n$/, '');
    return { filename: Buffer.from(filename, 'latin1').toString('utf8'), data: Buffer.from(data, 'latin1') };
  }
  return null;
}
