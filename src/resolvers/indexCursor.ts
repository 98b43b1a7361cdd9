import { badUserInput } from '../errors/codes.js';

/**
 * Cursors of index-backed listings and of `messageAdded`: the message's per-corp seq, opaque to
 * clients (base64url of `ix:<seq>`). The same cursor resumes a connection or a subscription.
 */
export function encodeIndexCursor(seq: number): string {
  return Buffer.from(`ix:${seq}`, 'utf8').toString('base64url');
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
