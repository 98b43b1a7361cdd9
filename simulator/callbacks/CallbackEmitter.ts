// Over 250 lines on purpose: every event kind WeCom sends, each a few lines of XML fields, kept
// together so the list of what the simulator can emit reads in one place.
import { randomInt } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';
import { request } from 'undici';
import { envelopeXml, eventXml, type XmlFieldValue } from './callbackXml.js';

/** How one app's callbacks are signed and addressed. */
export type CallbackSigner = {
  /** Callback Token (signature key). */
  token: string;
  /** 43-character EncodingAESKey. */
  encodingAesKey: string;
  /** Suite id: the receiveid inside the ciphertext and the events' SuiteId. */
  receiveId: string;
};

/** The provider's two apps (docs/upstream.md §8.3): the archive authorization and the display app. */
export type CallbackApp = 'archive' | 'display';

export type CallbackEmitterOptions = CallbackSigner & {
  /** The receiver's 指令回调URL. */
  url: string;
  /** The display app's signer; default: the archive app's (tests of one app only). */
  display?: CallbackSigner;
  /** Attempts per event, including the first (≥1). */
  tries: number;
  /** Deadline of one attempt, ms; a slower receiver counts as a failure and is retried. */
  timeoutMs: number;
  /** Wait before attempt n+1 is `retryDelayMs × n`, ms. */
  retryDelayMs: number;
};

export type CallbackDelivery = {
  infoType: string;
  app: CallbackApp;
  /** Order among everything this emitter sent (URL checks included), taken at the first attempt. */
  seq: number;
  ok: boolean;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
};

const HISTORY_LIMIT = 1000;
const HEADER_FIELDS = ['SuiteId', 'InfoType', 'TimeStamp'] as const;

type AttemptResult = { ok: boolean; status: number | null; error: string | null };

/** The outcome of one URL verification (the GET WeCom sends when a callback URL is saved). */
export type UrlVerification = {
  ok: boolean;
  /** Order among everything this emitter sent (events included), taken once it was answered. */
  seq: number;
  receiveId: string;
  status: number | null;
  error: string | null;
  at: number;
};

/**
 * Plays WeCom's side of the callback contract: encrypts and signs one event, POSTs it, and
 * retries until the receiver answers `success`. Every attempt of one event re-sends the SAME
 * signed request (same timestamp, nonce and ciphertext), because that is what WeCom's retries
 * look like to a receiver and what its replay protection has to cope with.
 */
export class CallbackEmitter {
  readonly #options: CallbackEmitterOptions;
  #url: string;
  #closed = false;
  readonly #history: CallbackDelivery[] = [];
  readonly #inFlight = new Set<AbortController>();
  readonly #sends = new Set<Promise<CallbackDelivery>>();
  /** The order of URL checks and events, so a test can tell which came first. */
  #seq = 0;
  #firstEventSeq: number | null = null;

  constructor(options: CallbackEmitterOptions) {
    if (!Number.isInteger(options.tries) || options.tries < 1) {
      throw new RangeError(`tries must be an integer ≥ 1, got ${options.tries}`);
    }
    if (!(options.timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${options.timeoutMs}`);
    if (!(options.retryDelayMs >= 0)) {
      throw new RangeError(`retryDelayMs must be ≥ 0, got ${options.retryDelayMs}`);
    }
    this.#options = { ...options };
    this.#url = new URL(options.url).toString();
  }

  setUrl(url: string): void {
    this.#url = new URL(url).toString();
  }

  /**
   * Builds `<xml>` with SuiteId (= receiveId), InfoType, TimeStamp, then `fields` in order. A field
   * named like a header field replaces that header's value (to send a wrong SuiteId, say).
   * Resolves with the delivery record; never rejects.
   */
  send(
    infoType: string,
    fields: Record<string, XmlFieldValue>,
    app: CallbackApp = 'archive',
  ): Promise<CallbackDelivery> {
    const sending = this.#send(infoType, fields, app);
    this.#sends.add(sending);
    void sending.finally(() => this.#sends.delete(sending));
    return sending;
  }

  deliveries(): readonly CallbackDelivery[] {
    return [...this.#history];
  }

  /** The `seq` of the first event ever sent (the history keeps only the newest); null before. */
  firstEventSeq(): number | null {
    return this.#firstEventSeq;
  }

  /**
   * What WeCom does when a callback URL is saved: a GET with `echostr` = a random string
   * encrypted for `receiveId` (the provider's own corpid, docs/upstream.md §8.1) and signed like an
   * event; the receiver must answer the plaintext verbatim. One attempt; never rejects.
   */
  async verifyUrl(receiveId: string, app: CallbackApp = 'archive'): Promise<UrlVerification> {
    const signer = this.#signer(app);
    const plaintext = String(randomInt(1, 2 ** 47));
    const timestamp = Math.floor(Date.now() / 1000);
    const nonce = String(randomInt(1, 2 ** 47));
    const echostr = encrypt(signer.encodingAesKey, plaintext, receiveId);
    const url = new URL(this.#url);
    url.searchParams.set('msg_signature', getSignature(signer.token, timestamp, nonce, echostr));
    url.searchParams.set('timestamp', String(timestamp));
    url.searchParams.set('nonce', nonce);
    url.searchParams.set('echostr', echostr);
    const at = Date.now();
    try {
      const response = await request(url, {
        method: 'GET',
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      const text = await response.body.text();
      const ok = response.statusCode === 200 && text === plaintext;
      return {
        ok,
        seq: ++this.#seq,
        receiveId,
        status: response.statusCode,
        error: ok ? null : `answered ${response.statusCode}: ${text.slice(0, 200)}`,
        at,
      };
    } catch (error) {
      return { ok: false, seq: ++this.#seq, receiveId, status: null, error: (error as Error).message, at };
    }
  }

  #signer(app: CallbackApp): CallbackSigner {
    if (app === 'archive') return this.#options;
    return this.#options.display ?? this.#options;
  }

  /** Aborts in-flight attempts and pending retries; resolves once every send has settled. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const controller of this.#inFlight) controller.abort(new Error('emitter closed'));
    await Promise.allSettled([...this.#sends]);
  }

  async #send(
    infoType: string,
    fields: Record<string, XmlFieldValue>,
    app: CallbackApp,
  ): Promise<CallbackDelivery> {
    const seq = ++this.#seq;
    this.#firstEventSeq ??= seq;
    const delivery: CallbackDelivery = {
      infoType,
      app,
      seq,
      ok: false,
      attempts: 0,
      lastStatus: null,
      lastError: null,
    };
    let signed: { query: URLSearchParams; body: string };
    try {
      signed = this.#sign(infoType, fields, this.#signer(app));
    } catch (error) {
      delivery.lastError = (error as Error).message;
      return this.#record(delivery);
    }
    for (let attempt = 1; attempt <= this.#options.tries; attempt++) {
      if (this.#closed) {
        delivery.lastError = 'emitter closed';
        break;
      }
      const result = await this.#attempt(signed.query, signed.body);
      delivery.attempts = attempt;
      delivery.lastStatus = result.status;
      delivery.lastError = result.error;
      if (result.ok) {
        delivery.ok = true;
        break;
      }
      if (attempt < this.#options.tries) await this.#pause(this.#options.retryDelayMs * attempt);
    }
    return this.#record(delivery);
  }

  #sign(
    infoType: string,
    fields: Record<string, XmlFieldValue>,
    signer: CallbackSigner,
  ): { query: URLSearchParams; body: string } {
    const { token, encodingAesKey, receiveId } = signer;
    const timestamp = Math.floor(Date.now() / 1000);
    const header: Record<(typeof HEADER_FIELDS)[number], XmlFieldValue> = {
      SuiteId: receiveId,
      InfoType: infoType,
      TimeStamp: timestamp,
    };
    const rest: [string, XmlFieldValue][] = [];
    for (const [name, value] of Object.entries(fields)) {
      if ((HEADER_FIELDS as readonly string[]).includes(name)) header[name as keyof typeof header] = value;
      else rest.push([name, value]);
    }
    const plaintext = eventXml([...HEADER_FIELDS.map((name) => [name, header[name]] as const), ...rest]);
    const encrypted = encrypt(encodingAesKey, plaintext, receiveId);
    const nonce = String(randomInt(1, 2 ** 47));
    const query = new URLSearchParams({
      msg_signature: getSignature(token, timestamp, nonce, encrypted),
      timestamp: String(timestamp),
      nonce,
    });
    return { query, body: envelopeXml(receiveId, encrypted) };
  }

  async #attempt(query: URLSearchParams, body: string): Promise<AttemptResult> {
    const url = new URL(this.#url);
    for (const [name, value] of query) url.searchParams.set(name, value);
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`no answer within ${this.#options.timeoutMs} ms`)),
      this.#options.timeoutMs,
    );
    this.#inFlight.add(controller);
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body,
        signal: controller.signal,
      });
      const text = await response.body.text();
      if (response.statusCode === 200 && text === 'success') return { ok: true, status: 200, error: null };
      return {
        ok: false,
        status: response.statusCode,
        error: `answered ${response.statusCode}: ${text.slice(0, 200)}`,
      };
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      return { ok: false, status: null, error: reason instanceof Error ? reason.message : String(reason) };
    } finally {
      clearTimeout(timer);
      this.#inFlight.delete(controller);
    }
  }

  /** A retry wait that close() cuts short. */
  #pause(ms: number): Promise<void> {
    if (this.#closed || ms <= 0) return Promise.resolve();
    const controller = new AbortController();
    this.#inFlight.add(controller);
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#inFlight.delete(controller);
        resolve();
      };
      const timer = setTimeout(done, ms);
      controller.signal.addEventListener('abort', done, { once: true });
    });
  }

  #record(delivery: CallbackDelivery): CallbackDelivery {
    const frozen = Object.freeze({ ...delivery });
    this.#history.push(frozen);
    if (this.#history.length > HISTORY_LIMIT) this.#history.splice(0, this.#history.length - HISTORY_LIMIT);
    return frozen;
  }
}
