import type { z } from 'zod';
import { toWecomError } from './WecomError.js';

/** One WeCom answer → its validated body, or the `WecomError` it means (envelope, HTTP, JSON, contract). */
export function parseResponse<S extends z.ZodType>(
  path: string,
  status: number,
  text: string,
  schema: S,
): z.output<S> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw toWecomError(
      path,
      status === 200 ? { kind: 'invalid-json', httpStatus: status } : { kind: 'http', status },
    );
  }
  // A 5xx carrying a WeCom envelope is WeCom's answer (its errcode decides); without one it is
  // a proxy or gateway failure that says nothing about the call.
  if (status >= 500 && typeof (body as { errcode?: unknown } | null)?.errcode !== 'number') {
    throw toWecomError(path, { kind: 'http', status });
  }
  const errcode = (body as { errcode?: unknown } | null)?.errcode;
  if (typeof errcode === 'number' && errcode !== 0) {
    const errmsg = (body as { errmsg?: unknown }).errmsg;
    throw toWecomError(path, {
      kind: 'envelope',
      errcode,
      errmsg: typeof errmsg === 'string' ? errmsg : '',
      httpStatus: status,
    });
  }
  if (status !== 200) throw toWecomError(path, { kind: 'http', status });
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw toWecomError(path, { kind: 'contract', error: parsed.error, body });
  return parsed.data;
}
