import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import type { AuthEvents, KeyValueStore, TokenChain } from '../datasources/ports.js';
import { CallbackCrypto, type SignedCiphertext } from './CallbackCrypto.js';
import { CallbackError } from './CallbackError.js';
import { type CallbackEvent, parseCallbackEvent } from './CallbackEvent.js';
import { DeliveryGuard } from './DeliveryGuard.js';
import { type CallbackLogger, dispatchCallbackEvent, errorSummary } from './dispatchCallbackEvent.js';
import { MAX_CALLBACK_XML_BYTES, parseCallbackXml } from './parseCallbackXml.js';
import { readCappedBody } from './readCappedBody.js';

export type CallbackHandlerDeps = {
  suite: Config['suite'];
  /** Accepted distance between a callback's timestamp and now, seconds (CALLBACK_MAX_SKEW_S). */
  maxSkewS: number;
  kv: KeyValueStore;
  tokens: Pick<TokenChain, 'setSuiteTicket'>;
  auth: AuthEvents;
  /** Every valid event other than suite_ticket and create/change/cancel_auth. Absent → logged only. */
  onEvent?: (event: CallbackEvent) => Promise<void>;
  /**
   * Hand create/change/cancel_auth to `onEvent` too (the durable inbox: "store the code first,
   * process it afterwards") instead of calling `auth` inline. Default false.
   */
  queueAuthEvents?: boolean;
  logger: CallbackLogger;
  /** Clock in unix ms. Default Date.now. */
  now?: () => number;
  /** Acknowledge a still-running create_auth after this long, ms. Default 700 (WeCom allows 1000). */
  createAuthAckAfterMs?: number;
  /** Largest POST body, bytes. Default 64 KiB. */
  maxBodyBytes?: number;
};

const TEXT = { 'content-type': 'text/plain; charset=utf-8' };

/**
 * The /wecom/callback endpoint: GET is WeCom's URL verification, POST an encrypted event.
 * Every check runs before anything is dispatched, and the answer is `success` only once the
 * dispatch resolved, so a rejected or failed delivery changes nothing and WeCom retries it.
 */
export function createCallbackHandler(
  deps: CallbackHandlerDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const now = deps.now ?? Date.now;
  const crypto = new CallbackCrypto({
    token: deps.suite.callbackToken,
    encodingAesKey: deps.suite.callbackAesKey,
    receiveId: deps.suite.suiteId,
    maxSkewS: deps.maxSkewS,
    now,
  });
  const guard = new DeliveryGuard(deps.kv, deps.maxSkewS, now);
  const dispatchDeps = {
    tokens: deps.tokens,
    auth: deps.auth,
    onEvent: deps.onEvent,
    queueAuthEvents: deps.queueAuthEvents ?? false,
    logger: deps.logger,
    createAuthAckAfterMs: deps.createAuthAckAfterMs ?? 700,
  };
  const maxBodyBytes = deps.maxBodyBytes ?? MAX_CALLBACK_XML_BYTES;

  async function handlePost(
    req: IncomingMessage,
    res: ServerResponse,
    query: URLSearchParams,
  ): Promise<void> {
    const signed = signedQuery(query);
    const ref = DeliveryGuard.ref(signed.msgSignature, signed.nonce);
    const log: Record<string, unknown> = { ref };
    try {
      const body = await readCappedBody(req, maxBodyBytes);
      const encrypted = parseCallbackXml(body, 'callback body')['Encrypt'];
      if (!encrypted)
        throw new CallbackError('BAD_EVENT', 'callback body: Encrypt is required and must not be empty');
      const opened = crypto.open({ ...signed, ciphertext: encrypted });
      const parsed = parseCallbackEvent(parseCallbackXml(opened.plaintext, 'decrypted event'));
      log['infoType'] = parsed.known ? parsed.event.InfoType : parsed.infoType;
      if (parsed.known) {
        if ('AuthCorpId' in parsed.event) log['corpId'] = parsed.event.AuthCorpId;
        if (parsed.event.SuiteId !== undefined && parsed.event.SuiteId !== deps.suite.suiteId) {
          throw new CallbackError(
            'BAD_EVENT',
            `SuiteId must be the configured suite id, got ${parsed.event.SuiteId}`,
          );
        }
      }
      const delivery = await guard
        .claim(signed.msgSignature, signed.nonce, opened.timestamp)
        .catch((error: unknown) => {
          deps.logger.error({ ...log, err: errorSummary(error) }, 'callback replay store failed');
          throw new CallbackError('CALLBACK_UNAVAILABLE', 'the replay store is unavailable; retry later');
        });
      if (delivery.kind === 'pending') {
        throw new CallbackError('REPLAY', 'this delivery (msg_signature, nonce) is being handled right now');
      }
      if (delivery.kind === 'done') {
        deps.logger.info(log, 'callback delivery already handled; acknowledged again without processing');
        return reply(res, 200, TEXT, 'success');
      }
      try {
        if (parsed.known) await dispatchCallbackEvent(parsed.event, dispatchDeps, log);
        else deps.logger.warn(log, 'callback with unknown InfoType acknowledged and ignored');
      } catch (error) {
        await delivery.release().catch(() => undefined);
        deps.logger.error({ ...log, err: errorSummary(error) }, 'callback dispatch failed; WeCom will retry');
        throw new CallbackError('DISPATCH_FAILED', `handling ${log['infoType']} failed; retry later`);
      }
      await delivery.complete().catch((error: unknown) => {
        // Already processed: answering an error now would only make WeCom resend it.
        deps.logger.error(
          { ...log, err: errorSummary(error) },
          'could not mark callback delivery as handled',
        );
      });
      // Per callback: debug (WeCom pushes suite_ticket every 10 min, messages constantly).
      deps.logger.debug?.(log, 'callback handled');
      reply(res, 200, TEXT, 'success');
    } catch (error) {
      fail(req, res, error, log);
    }
  }

  function handleGet(res: ServerResponse, query: URLSearchParams): void {
    const echostr = query.get('echostr');
    if (!echostr)
      throw new CallbackError('BAD_CALLBACK_REQUEST', 'URL verification needs query parameter echostr');
    // A base64 "+" sent unencoded arrives as a space; base64 itself never contains spaces.
    const plaintext = crypto.verifyUrl({ ...signedQuery(query), ciphertext: echostr.replaceAll(' ', '+') });
    deps.logger.info(
      { ref: DeliveryGuard.ref(query.get('msg_signature') ?? '', query.get('nonce') ?? '') },
      'callback URL verified',
    );
    reply(res, 200, TEXT, plaintext);
  }

  return async (req, res) => {
    try {
      const query = new URL(req.url ?? '/', 'http://callback.invalid').searchParams;
      if (req.method === 'GET') handleGet(res, query);
      else if (req.method === 'POST') await handlePost(req, res, query);
      else {
        res.setHeader('allow', 'GET, POST');
        throw new CallbackError('METHOD_NOT_ALLOWED', `method must be GET or POST, got ${req.method}`);
      }
    } catch (error) {
      fail(req, res, error, {});
    }
  };

  /** Answers a coded JSON error; anything uncoded becomes a retryable 503 (details only in the log). */
  function fail(
    req: IncomingMessage,
    res: ServerResponse,
    error: unknown,
    log: Record<string, unknown>,
  ): void {
    let coded: CallbackError;
    if (error instanceof CallbackError) {
      coded = error;
      if (coded.status < 500)
        deps.logger.warn({ ...log, code: coded.code, reason: coded.message }, 'callback rejected');
    } else {
      deps.logger.error({ ...log, err: errorSummary(error) }, 'callback failed unexpectedly');
      if (req.destroyed) return;
      coded = new CallbackError('CALLBACK_UNAVAILABLE', 'the callback could not be handled now; retry later');
    }
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (coded.code === 'BODY_TOO_LARGE') headers['connection'] = 'close';
    reply(res, coded.status, headers, JSON.stringify({ code: coded.code, message: coded.message }));
  }
}

function signedQuery(query: URLSearchParams): Omit<SignedCiphertext, 'ciphertext'> {
  const missing = ['msg_signature', 'timestamp', 'nonce'].filter((name) => !query.get(name));
  if (missing.length > 0) {
    throw new CallbackError(
      'BAD_CALLBACK_REQUEST',
      `query must carry msg_signature, timestamp and nonce; missing ${missing.join(', ')}`,
    );
  }
  return {
    msgSignature: query.get('msg_signature')!,
    timestamp: query.get('timestamp')!,
    nonce: query.get('nonce')!,
  };
}

function reply(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
