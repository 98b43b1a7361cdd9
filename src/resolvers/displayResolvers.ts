import { randomBytes } from 'node:crypto';
import { getJsApiSignature } from '@wecom/crypto';
import { z } from 'zod';
import type { Context } from './context.js';
import { forCorp } from './forCorp.js';
import { type MessageDisplay, messageDisplay } from './messageResolvers.js';
import { toMsgid } from './messagesWithKeys.js';
import { listMax, show } from './validation/rules.js';
import { validate } from './validation/validate.js';

/** One OpenDataFrame renders a list (docs/upstream.md §6), so a page's keys come in one call; 100 bounds the RSA work. */
export const MAX_DISPLAY_KEYS = 100;
const MAX_URL_LENGTH = 2048;

export type JsapiSignatures = {
  corpId: string;
  agentId: number | null;
  url: string;
  timestamp: number;
  nonceStr: string;
  configSignature: string;
  agentConfigSignature: string;
};

const pageUrl = z.string().refine(
  (raw) => {
    if (raw.length > MAX_URL_LENGTH) return false;
    try {
      const u = new URL(raw);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
    } catch {
      return false;
    }
  },
  {
    error: (iss) =>
      `url must be an absolute http(s) URL of at most ${MAX_URL_LENGTH} characters, got ${show(iss.input)}`,
  },
);

/**
 * `ww.register` signatures for the page at `url`: `config` with the corp's jsapi_ticket,
 * `agentConfig` with the app's, over the same timestamp and nonce. WeCom signs the URL without
 * its #fragment, so a fragment is dropped (the signed URL is returned).
 */
export async function jsapiSignatures(
  args: { corpId: string; url: string },
  ctx: Context,
): Promise<JsapiSignatures> {
  const { corpId } = args;
  ctx.access.requireCorp(corpId, 'content:display');
  const url = validate(z.object({ url: pageUrl }), { url: args.url }).url.split('#')[0]!;
  const [corpTicket, agentTicket, agentId] = await Promise.all([
    ctx.ds.jsapi.getTicket(corpId, 'corp'),
    ctx.ds.jsapi.getTicket(corpId, 'agent'),
    ctx.ds.jsapi.agentId(corpId),
  ]);
  const timestamp = Math.floor(Date.now() / 1000);
  const nonceStr = randomBytes(8).toString('hex');
  const sign = (ticket: string) => getJsApiSignature({ url, ticket, nonceStr, timestamp }).signature;
  return {
    corpId,
    agentId,
    url,
    timestamp,
    nonceStr,
    configSignature: sign(corpTicket),
    agentConfigSignature: sign(agentTicket),
  };
}

const displayKeysArgs = z.object({
  messageIds: listMax('messageIds', z.string().min(1), MAX_DISPLAY_KEYS, 1),
});

/**
 * `ww-open-message` keys for a list of messages, in order: null for a message the index does not
 * hold. Scope content:display, checked before anything is loaded.
 */
export async function displayKeys(
  corpId: string,
  args: { messageIds: readonly (string | number)[] },
  ctx: Context,
): Promise<(Promise<MessageDisplay> | null)[]> {
  const loaders = forCorp(ctx, corpId, 'content:display');
  const { messageIds } = validate(displayKeysArgs, { messageIds: args.messageIds.map(String) });
  const msgids = messageIds.map((id, i) => toMsgid(corpId, id, i));
  const found = await loaders.message.loadMany(msgids);
  // Each item its own promise: one key that cannot be decrypted must not null the whole list (and
  // its corp); graphql-js nulls that item alone, with the error at its path.
  return found.map((m) => (m === null || m instanceof Error ? null : messageDisplay(m, ctx)));
}
