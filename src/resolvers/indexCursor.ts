import { badUserInput } from '../errors/codes.js';

/**
 * Cursors of index-backed listings and of `messageAdded`: the message's per-corp seq, opaque to
 * clients (base64url of `ix:<seq>`). The same cursor resumes a connection or a subscription.
 */
export function encodeIndexCursor(seq: number): string {
  return base64url(`ix:${seq}`);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Unpadded base64url of an ASCII string, as `Buffer.from(text).toString('base64url')` gives it;
 * one per edge, so without the Buffer round trip (about twice as fast for these few bytes).
 */
export function base64url(ascii: string): string {
  let out = '';
  let i = 0;
  const n = ascii.length;
  for (; i + 2 < n; i += 3) {
    const v = (ascii.charCodeAt(i) << 16) | (ascii.charCodeAt(i + 1) << 8) | ascii.charCodeAt(i + 2);
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]! + ALPHABET[v & 63]!;
  }
  if (n - i === 1) {
    const v = ascii.charCodeAt(i) << 16;
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]!;
  } else if (n - i === 2) {
    const v = (ascii.charCodeAt(i) << 16) | (ascii.charCodeAt(i + 1) << 8);
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]!;
  }
  return out;
}

export function decodeIndexCursor(cursor: string | null | undefined, field = 'after'): number | undefined {
  if (cursor === null || cursor === undefined || cursor === '') return undefined;
  const match = /^ix:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) {
    throw badUserInput(
      `${field} must be a cursor from Corp.messages, Chat.messages or messageAdded, got ${JSON.stringify(cursor)}`,
      field,
      cursor,
    );
  }
  return Number(match[1]);
}
