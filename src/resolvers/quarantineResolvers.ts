import { z } from 'zod';
import type { StoredQuarantinedRecord } from '../datasources/store/MessageIndex.js';
import { badUserInput } from '../errors/codes.js';
import type { Context } from './context.js';
import { forCorp } from './forCorp.js';
import { base64url } from './indexCursor.js';
import { first } from './validation/rules.js';
import { validate } from './validation/validate.js';

export type QuarantinedRecordShape = StoredQuarantinedRecord;

const args = z.object({ first: first(), after: z.string().nullish() });

/** Corp.quarantinedRecords: what sync_msg sent that broke the shape, oldest first. */
export async function corpQuarantinedRecords(corpId: string, raw: unknown, ctx: Context) {
  forCorp(ctx, corpId);
  const input = validate(args, raw);
  if (!ctx.ingest) throw new Error('the archive is not configured in this process');
  const page = await ctx.ingest.index.quarantined(corpId, input.first, decode(input.after, corpId));
  const edges = page.items.map((node) => ({ cursor: encode(corpId, node.id), node }));
  return { edges, hasNextPage: page.hasMore, endCursor: edges.at(-1)?.cursor ?? null };
}

function encode(corpId: string, id: number): string {
  return base64url(`qr:${corpId}:${id}`);
}

function decode(cursor: string | null | undefined, corpId: string): number | undefined {
  if (!cursor) return undefined;
  const match = /^qr:(.+):(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || match[1] !== corpId) {
    throw badUserInput(
      `after must be a cursor from this corp's quarantinedRecords, got ${JSON.stringify(cursor)}`,
      'after',
      cursor,
    );
  }
  return Number(match[2]);
}
