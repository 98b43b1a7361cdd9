import { createHmac } from 'node:crypto';
import { WecomError } from '../http/WecomError.js';

/**
 * Opaque, tamper-evident cursors: `<kind>.<corp>.<position>` signed with a per-simulator secret,
 * so a cursor from another corp, endpoint or simulator is rejected like WeCom rejects garbage.
 */
export class CursorCodec {
  constructor(private readonly secret: string) {}

  encode(kind: string, corpId: string, position: number): string {
    const payload = Buffer.from(`${kind}.${corpId}.${position}`).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** `badCode` for an unreadable cursor; 50100 when it is over `maxBytes`. */
  decode(kind: string, corpId: string, cursor: string | undefined, badCode: number, maxBytes = 128): number {
    if (cursor === undefined || cursor === '') return 0;
    if (Buffer.byteLength(cursor) > maxBytes) {
      throw new WecomError(
        50100,
        `invalid pagination cursor: cursor must be <= ${maxBytes} bytes, got ${Buffer.byteLength(cursor)}`,
      );
    }
    const [payload, sig] = cursor.split('.');
    if (!payload || !sig || sig !== this.sign(payload))
      throw new WecomError(badCode, `invalid cursor ${JSON.stringify(cursor)}`);
    const [k, c, pos] = Buffer.from(payload, 'base64url').toString().split('.');
    const n = Number(pos);
    if (k !== kind || c !== corpId || !Number.isInteger(n) || n < 0) {
      throw new WecomError(
        badCode,
        `invalid cursor ${JSON.stringify(cursor)}: issued for another corp or api`,
      );
    }
    return n;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url').slice(0, 12);
  }
}
