import { badUserInput } from '../errors/codes.js';

/**
 * Cursors of index-backed listings and of `messageAdded`: the message's per-corp seq and its
 * corp, opaque to clients (base64url of `ix:<corpId>:<seq>`). The same cursor resumes a
 * connection or a subscription of the same corp; another corp's cursor is refused, since a seq
 * means nothing outside its corp.
 */
export function encodeIndexCursor(corpId: string, seq: number): string {
  const text = `ix:${corpId}:${seq}`;
  return PRINTABLE_ASCII.test(text) ? base64url(text) : Buffer.from(text).toString('base64url');
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

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

export function decodeIndexCursor(
  cursor: string | null | undefined,
  corpId: string,
  field = 'after',
): number | undefined {
  if (cursor === null || cursor === undefined || cursor === '') return undefined;
  const match = /^ix:(.+):(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) {
    throw badUserInput(
      `${field} must be a cursor from Corp.messages, Chat.messages or messageAdded, got ${JSON.stringify(cursor)}`,
      field,
      cursor,
    );
  }
  if (match[1] !== corpId) {
    throw badUserInput(
      `${field} is a cursor of another corp (${match[1]}); a cursor resumes only listings of corp ${corpId}`,
      field,
      cursor,
    );
  }
  return Number(match[2]);
}
