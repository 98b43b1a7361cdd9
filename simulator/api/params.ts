import { INVALID_PARAMETER, WecomError } from '../http/WecomError.js';

export type Body = Record<string, unknown>;

export function optString(body: Body, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string')
    throw new WecomError(
      INVALID_PARAMETER,
      `invalid parameter: ${name} must be a string, got ${JSON.stringify(v)}`,
    );
  return v;
}

export function reqString(body: Body, name: string, code = INVALID_PARAMETER): string {
  const v = optString(body, name);
  if (v === undefined || v === '') throw new WecomError(code, `invalid parameter: ${name} is required`);
  return v;
}

export function optInt(body: Body, name: string): number | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new WecomError(
      INVALID_PARAMETER,
      `invalid parameter: ${name} must be an integer, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/**
 * `limit` outside 1..max is an invalid parameter (40058). 301058 is not about the range: it says
 * the answer would be too large, lower `limit` (docs/upstream.md §8.7; see `checkResponseSize`).
 */
export function limitParam(body: Body, fallback: number, max: number): number {
  const v = optInt(body, 'limit');
  if (v === undefined || v === 0) return fallback;
  if (v < 1 || v > max)
    throw new WecomError(INVALID_PARAMETER, `invalid parameter: limit must be 1..${max}, got ${v}`);
  return v;
}

/** 301058 "pull request over size limit": the page would exceed the response cap; ask with a lower limit. */
export function checkResponseSize(page: unknown, maxBytes: number, limit: number): void {
  const bytes = Buffer.byteLength(JSON.stringify(page));
  if (bytes > maxBytes) {
    throw new WecomError(
      301058,
      `pull request over size limit: ${limit} records are ${bytes} bytes, over ${maxBytes}; lower limit`,
    );
  }
}

export function optArray(body: Body, name: string): unknown[] | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v))
    throw new WecomError(INVALID_PARAMETER, `invalid parameter: ${name} must be an array`);
  return v;
}

export function optObject(body: Body, name: string): Body | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v))
    throw new WecomError(INVALID_PARAMETER, `invalid parameter: ${name} must be an object`);
  return v as Body;
}

export function stringList(list: unknown[], name: string): string[] {
  return list.map((x) => {
    if (typeof x !== 'string')
      throw new WecomError(
        INVALID_PARAMETER,
        `invalid parameter: ${name} must hold strings, got ${JSON.stringify(x)}`,
      );
    return x;
  });
}

export function intList(list: unknown[], name: string): number[] {
  return list.map((x) => {
    if (typeof x !== 'number' || !Number.isInteger(x)) {
      throw new WecomError(
        INVALID_PARAMETER,
        `invalid parameter: ${name} must hold integers, got ${JSON.stringify(x)}`,
      );
    }
    return x;
  });
}

/** UTF-8 characters, not UTF-16 units: "≥ 2 characters" counts 报价 as 2. */
export function charLength(s: string): number {
  return [...s].length;
}
