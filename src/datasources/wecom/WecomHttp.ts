// Over 250 lines on purpose: one class owning the pool, the retry loop, the breaker checks and
// the token → corp map that all attempts share; the pure parts live in parseResponse/callOutcome.
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Pool } from 'undici';
import type { z } from 'zod';
import type { Logger } from '../../logging/Logger.js';
import { traceUpstreamAttempt } from '../../tracing/traceUpstreamAttempt.js';
import type { CallOutcome, CircuitBreaker, UpstreamBlockedError } from './CircuitBreaker.js';
import { outcomeOf, resultLabel } from './callOutcome.js';
import { parseResponse } from './parseResponse.js';
import { isStateChanging, mayHaveTakenEffect, outcomeUnknown } from './upstreamCallKinds.js';
import { toWecomError, WecomError } from './WecomError.js';

export type WecomHttpOptions = {
  /** e.g. `https://qyapi.weixin.qq.com`; a path prefix is kept. */
  baseUrl: string;
  /** Deadline of one attempt, ms. */
  timeoutMs: number;
  /** Extra attempts for retryable failures. */
  retries: number;
  /** Whole-call budget, attempts and backoff included, ms. Default 2 × timeoutMs. */
  budgetMs?: number;
  /** First backoff step, ms (doubled per retry, full jitter in [step/2, step]). Default 100. */
  backoffBaseMs?: number;
  /** Largest backoff step, ms. Default 2000. */
  backoffMaxMs?: number;
  /** Keep-alive sockets to the upstream. Default 64. */
  connections?: number;
  logger: Logger;
  /** Per (corp, path) circuits and 45009 windows; none → every call goes out. */
  breaker?: CircuitBreaker | null;
  /** Told about every attempt (and every call refused by the breaker), for metrics. */
  observe?: ((call: UpstreamCallEvent) => void) | null;
};

/** One attempt: `result` is `ok`, the errcode, `http_<status>`, a failure kind, or why it was refused. */
export type UpstreamCallEvent = { path: string; scope: string; result: string; ms: number };

/** Who a call is for; without it the scope is read from the call (auth_corpid, the token). */
export type CallScope = { corpId?: string };

type Query = Record<string, string>;
type Send = { method: 'GET' | 'POST'; headers: Record<string, string>; body: string | Buffer | null };

/**
 * The only HTTP client of the WeCom API: keep-alive pool, a deadline on every attempt, retries
 * of retryable failures within a budget, and every failure turned into a `WecomError`.
 */
export class WecomHttp {
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #opts: Required<Omit<WecomHttpOptions, 'logger' | 'baseUrl' | 'breaker' | 'observe'>>;
  readonly #logger: Logger;
  readonly #breaker: CircuitBreaker | null;
  readonly #observe: ((call: UpstreamCallEvent) => void) | null;
  /** access_token → corp id, learned from get_corp_token and gettoken answers, so circuits are per corp. */
  readonly #tokenCorps = new Map<string, string>();

  constructor(options: WecomHttpOptions) {
    const url = new URL(options.baseUrl);
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#logger = options.logger;
    this.#breaker = options.breaker ?? null;
    this.#observe = options.observe ?? null;
    this.#opts = {
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      budgetMs: options.budgetMs ?? options.timeoutMs * 2,
      backoffBaseMs: options.backoffBaseMs ?? 100,
      backoffMaxMs: options.backoffMaxMs ?? 2000,
      connections: options.connections ?? 64,
    };
    this.#pool = new Pool(url.origin, {
      connections: this.#opts.connections,
      keepAliveTimeout: 30_000,
      connect: { timeout: Math.min(options.timeoutMs, 5000) },
    });
  }

  /** POST JSON; errcode ≠ 0 → WecomError; the success body is validated with `schema`. */
  async postJson<S extends z.ZodType>(
    path: string,
    query: Query,
    body: unknown,
    schema: S,
    call: CallScope = {},
  ): Promise<z.output<S>> {
    const send: Send = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    };
    const scope = this.#scopeOf(query, body, call);
    const result = await this.#withRetries(path, scope, (deadlineMs) =>
      this.#attempt(path, query, send, schema, deadlineMs),
    );
    this.#learnCorpToken((body as { auth_corpid?: unknown } | null)?.auth_corpid, result);
    return result;
  }

  /** GET with the query only (the JS-SDK ticket APIs); same deadlines, retries and error shape as postJson. */
  async getJson<S extends z.ZodType>(
    path: string,
    query: Query,
    schema: S,
    call: CallScope = {},
  ): Promise<z.output<S>> {
    const send: Send = { method: 'GET', headers: {}, body: null };
    const result = await this.#withRetries(path, this.#scopeOf(query, null, call), (deadlineMs) =>
      this.#attempt(path, query, send, schema, deadlineMs),
    );
    // gettoken (a 代开发 app's corp token) is a GET for one corp.
    this.#learnCorpToken(call.corpId, result);
    return result;
  }

  /** multipart/form-data upload of one file under `field` (WeCom's temp media upload uses `media`). */
  uploadFile<S extends z.ZodType>(
    path: string,
    query: Query,
    file: { field: string; filename: string; content: Uint8Array },
    schema: S,
    call: CallScope = {},
  ): Promise<z.output<S>> {
    const boundary = `----wecomgw${randomBytes(12).toString('hex')}`;
    const safeName = file.filename.replace(/["\r\n\\]/g, '_');
    const head =
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${safeName}"; ` +
      `filelength=${file.content.byteLength}\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const body = Buffer.concat([Buffer.from(head), file.content, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const send: Send = {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    };
    return this.#withRetries(path, this.#scopeOf(query, null, call), (deadlineMs) =>
      this.#attempt(path, query, send, schema, deadlineMs),
    );
  }

  /** Resolves when the upstream answers HTTP at all (any status); for readiness probes. */
  async ping(): Promise<void> {
    const deadlineMs = Math.min(this.#opts.timeoutMs, 2000);
    const signal = AbortSignal.timeout(deadlineMs);
    try {
      const res = await this.#pool.request({ method: 'GET', path: `${this.#basePath}/`, signal });
      await res.body.dump();
    } catch (error) {
      throw toWecomError('/', signal.aborted ? { kind: 'timeout', timeoutMs: deadlineMs } : error);
    }
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  async #withRetries<T>(
    path: string,
    scope: string,
    attempt: (deadlineMs: number) => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    const { budgetMs, retries, timeoutMs } = this.#opts;
    for (let n = 0; ; n++) {
      const remaining = budgetMs - (performance.now() - started);
      this.#checkBreaker(path, scope);
      const attemptStarted = performance.now();
      try {
        const result = await traceUpstreamAttempt(path, n + 1, () =>
          attempt(Math.max(1, Math.min(timeoutMs, remaining))),
        );
        this.#settle(path, scope, 'ok', 'ok', attemptStarted);
        return result;
      } catch (thrown) {
        const error = toWecomError(path, thrown);
        this.#settle(path, scope, outcomeOf(error), resultLabel(error), attemptStarted);
        // A call that changes state is never repeated when it may already have happened. Its
        // -1 (system busy) and 45033 (too many concurrent calls) are retryable all the same: they
        // are WeCom's answer that the call was not executed, so a repeat cannot apply it twice.
        if (isStateChanging(path) && mayHaveTakenEffect(error)) throw outcomeUnknown(error);
        if (!error.retryable || n >= retries) throw error;
        const step = Math.min(this.#opts.backoffMaxMs, this.#opts.backoffBaseMs * 2 ** n);
        const wait = step / 2 + Math.random() * (step / 2);
        // A retry that cannot finish inside the budget only delays the inevitable error.
        if (performance.now() - started + wait + 50 > budgetMs) throw error;
        this.#logger.warn(
          {
            path,
            code: error.code,
            errcode: error.errcode,
            httpStatus: error.httpStatus,
            attempt: n + 1,
            waitMs: wait,
          },
          'retrying upstream call',
        );
        await delay(wait);
      }
    }
  }

  #checkBreaker(path: string, scope: string): void {
    try {
      this.#breaker?.check(scope, path);
    } catch (error) {
      const blocked = error as UpstreamBlockedError;
      this.#observe?.({
        path,
        scope,
        result: blocked.code === 'RATE_LIMITED' ? 'blocked_45009' : 'circuit_open',
        ms: 0,
      });
      throw error;
    }
  }

  #settle(path: string, scope: string, outcome: CallOutcome, result: string, startedAt: number): void {
    this.#breaker?.record(scope, path, outcome);
    this.#observe?.({ path, scope, result, ms: performance.now() - startedAt });
  }

  /** The circuit a call belongs to: the corp it is for, `suite` for suite-level calls. */
  #scopeOf(query: Query, body: unknown, call: CallScope): string {
    if (call.corpId) return call.corpId;
    const authCorp = (body as { auth_corpid?: unknown } | null)?.auth_corpid;
    if (typeof authCorp === 'string') return authCorp;
    const token = query['access_token'];
    if (token) {
      // Another replica may have fetched the token: its digest still names one corp's circuit.
      return (
        this.#tokenCorps.get(token) ??
        `token:${createHash('sha256').update(token).digest('hex').slice(0, 12)}`
      );
    }
    return 'suite';
  }

  #learnCorpToken(corpId: unknown, result: unknown): void {
    const token = (result as { access_token?: unknown } | null)?.access_token;
    if (typeof corpId !== 'string' || typeof token !== 'string') return;
    this.#tokenCorps.set(token, corpId);
    if (this.#tokenCorps.size > 10_000) {
      const oldest = this.#tokenCorps.keys().next().value;
      if (oldest !== undefined) this.#tokenCorps.delete(oldest);
    }
  }

  async #attempt<S extends z.ZodType>(
    path: string,
    query: Query,
    send: Send,
    schema: S,
    deadlineMs: number,
  ): Promise<z.output<S>> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), deadlineMs);
    const started = performance.now();
    const qs = new URLSearchParams(query).toString();
    try {
      const res = await this.#pool.request({
        method: send.method,
        path: `${this.#basePath}${path}${qs ? `?${qs}` : ''}`,
        headers: send.headers,
        body: send.body,
        signal: controller.signal,
      });
      const text = await res.body.text();
      this.#logger.debug(
        { path, status: res.statusCode, ms: Math.round(performance.now() - started) },
        'upstream call',
      );
      return parseResponse(path, res.statusCode, text, schema);
    } catch (error) {
      if (error instanceof WecomError) throw error;
      if (controller.signal.aborted) throw toWecomError(path, { kind: 'timeout', timeoutMs: deadlineMs });
      throw toWecomError(path, error);
    } finally {
      clearTimeout(timer);
    }
  }
}
