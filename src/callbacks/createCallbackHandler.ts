import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthEvents } from '../datasources/corps/ports.js';
import type { KeyValueStore } from '../datasources/store/ports.js';
import type { TokenChain } from '../datasources/wecom/ports.js';
import type { SignedCiphertext } from './CallbackCrypto.js';
import { CallbackError } from './CallbackError.js';
import { type CallbackEvent, type ParsedCallback, parseCallbackEvent } from './CallbackEvent.js';
import { appOf, type CallbackApp, openWithAny, receiversOf } from './callbackReceivers.js';
import { DeliveryGuard } from './DeliveryGuard.js';
import { type CallbackLogger, dispatchCallbackEvent, errorSummary } from './dispatchCallbackEvent.js';
import { MAX_CALLBACK_XML_BYTES, parseCallbackXml } from './parseCallbackXml.js';
import { readCappedBody } from './readCappedBody.js';

export type { CallbackApp };

/** Why a well-signed event was acknowledged without being acted on (a metric label). */
export type IgnoredReason = 'unknown_info_type' | 'unusable' | 'foreign_suite';

export type CallbackHandlerDeps = {
  /** The 「会话存档接口授权」 app. */
  suite: CallbackApp;
  /** The display app (third-party / 代开发); absent → only the archive app's callbacks arrive here. */
  displaySuite?: CallbackApp;
  /** The provider's own corpid: accepted as receiveid (WeCom's URL verification uses it). */
  providerCorpId?: string;
  /** Accepted distance between a callback's timestamp and now, seconds (CALLBACK_MAX_SKEW_S). */
  maxSkewS: number;
  kv: KeyValueStore;
  tokens: Pick<TokenChain, 'setSuiteTicket'>;
  /** The display app's token chain (its own suite_ticket). */
  displayTokens?: Pick<TokenChain, 'setSuiteTicket'>;
  auth: AuthEvents;
  /** Every valid event other than suite_ticket and create/change/cancel_auth. Absent → logged only. */
  onEvent?: (event: CallbackEvent) => Promise<void>;
  /**
   * Hand create/change/cancel_auth to `onEvent` too (the durable inbox: "store the code first,
   * process it afterwards") instead of calling `auth` inline. Default false.
   */
  queueAuthEvents?: boolean;
  /** Told about every well-signed event acknowledged without being acted on (metrics). */
  onIgnored?: (infoType: string, reason: IgnoredReason) => void;
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
 * A request is refused only when it is not WeCom's: a bad signature, bad crypto (wrong key or
 * receiveid), a stale timestamp, a replay in progress, or an envelope that is not one. Once an
 * event is signed and decrypts, it is acknowledged `success` even when it is not understood
 * (unknown InfoType, another suite, fields off the contract): WeCom would otherwise resend it
 * forever. Those are logged and counted instead. An understood event is answered only once its
 * dispatch resolved, so a failed dispatch (503) is retried by WeCom.
 */
export function createCallbackHandler(
  deps: CallbackHandlerDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const now = deps.now ?? Date.now;
  const receivers = receiversOf(deps, now);
  const guard = new DeliveryGuard(deps.kv, deps.maxSkewS, now);
  const dispatchDeps = {
    tokens: deps.tokens,
    displayTokens: deps.displayTokens,
    auth: deps.auth,
    onEvent: deps.onEvent,
    queueAuthEvents: deps.queueAuthEvents ?? false,
    logger: deps.logger,
    createAuthAckAfterMs: deps.createAuthAckAfterMs ?? 700,
  };
  const maxBodyBytes = deps.maxBodyBytes ?? MAX_CALLBACK_XML_BYTES;

  /** Acknowledged without acting on it: logged and counted. */
  function ignore(
    res: ServerResponse,
    log: Record<string, unknown>,
    reason: IgnoredReason,
    detail: string,
  ): void {
    const infoType = typeof log['infoType'] === 'string' ? log['infoType'] : 'unreadable';
    const level = reason === 'unknown_info_type' ? 'warn' : 'error';
    deps.logger[level]({ ...log, reason, detail }, 'well-signed callback acknowledged but not acted on');
    deps.onIgnored?.(infoType, reason);
    reply(res, 200, TEXT, 'success');
  }

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
      const { opened, receiver } = openWithAny(receivers, { ...signed, ciphertext: encrypted });
      let parsed: ParsedCallback;
      try {
        parsed = parseCallbackEvent(parseCallbackXml(opened.plaintext, 'decrypted event'));
      } catch (error) {
        if (!(error instanceof CallbackError)) throw error;
        log['infoType'] = /<InfoType>(?:<!\[CDATA\[)?([A-Za-z0-9_.]{1,64})/.exec(opened.plaintext)?.[1];
        return ignore(res, log, 'unusable', error.message);
      }
      log['infoType'] = parsed.known ? parsed.event.InfoType : parsed.infoType;
      if (!parsed.known) return ignore(res, log, 'unknown_info_type', 'no handler for this InfoType');
      const event = parsed.event;
      if ('AuthCorpId' in event && event.AuthCorpId !== undefined) log['corpId'] = event.AuthCorpId;
      const app = appOf(receiver, event.SuiteId);
      if (app === null) {
        return ignore(res, log, 'foreign_suite', `SuiteId ${event.SuiteId} is none of the configured apps`);
      }
      log['app'] = app;
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
        await dispatchCallbackEvent(event, app, dispatchDeps, log);
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
    const { opened } = openWithAny(receivers, {
      ...signedQuery(query),
      ciphertext: echostr.replaceAll(' ', '+'),
    });
    const plaintext = opened.plaintext;
    deps.logger.info(
      {
        ref: DeliveryGuard.ref(query.get('msg_signature') ?? '', query.get('nonce') ?? ''),
        receiveId: opened.receiveId,
      },
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
