import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Pool } from 'undici';
import type { z } from 'zod';
import type { Logger } from './Logger.js';
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
};

type Query = Record<string, string>;
type Send = { method: 'GET' | 'POST'; headers: Record<string, string>; body: string | Buffer | null };

/**
 * The only HTTP client of the WeCom API: keep-alive pool, a deadline on every attempt, retries
 * of retryable failures within a budget, and every failure turned into a `WecomError`.
 */
export class WecomHttp {
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #opts: Required<Omit<WecomHttpOptions, 'logger' | 'baseUrl'>>;
  readonly #logger: Logger;

  constructor(options: WecomHttpOptions) {
    const url = new URL(options.baseUrl);
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#logger = options.logger;
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
  postJson<S extends z.ZodType>(path: string, query: Query, body: unknown, schema: S): Promise<z.output<S>> {
    const send: Send = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    };
    return this.#withRetries(path, (deadlineMs) => this.#attempt(path, query, send, schema, deadlineMs));
  }

  /** multipart/form-data upload of one file under `field` (WeCom's temp media upload uses `media`). */
  uploadFile<S extends z.ZodType>(
    path: string,
    query: Query,
    file: { field: string; filename: string; content: Uint8Array },
    schema: S,
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
    return this.#withRetries(path, (deadlineMs) => this.#attempt(path, query, send, schema, deadlineMs));
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

  async #withRetries<T>(path: string, attempt: (deadlineMs: number) => Promise<T>): Promise<T> {
    const started = performance.now();
    const { budgetMs, retries, timeoutMs } = this.#opts;
    for (let n = 0; ; n++) {
      const remaining = budgetMs - (performance.now() - started);
      try {
        return await attempt(Math.max(1, Math.min(timeoutMs, remaining)));
      } catch (thrown) {
        const error = toWecomError(path, thrown);
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

function parseResponse<S extends z.ZodType>(
  path: string,
  status: number,
  text: string,
  schema: S,
): z.output<S> {
  if (status >= 500) throw toWecomError(path, { kind: 'http', status });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw toWecomError(
      path,
      status === 200 ? { kind: 'invalid-json', httpStatus: status } : { kind: 'http', status },
    );
  }
  const errcode = (body as { errcode?: unknown } | null)?.errcode;
  if (typeof errcode === 'number' && errcode !== 0) {
    const errmsg = (body as { errmsg?: unknown }).errmsg;
    throw toWecomError(path, {
      kind: 'envelope',
      errcode,
      errmsg: typeof errmsg === 'string' ? errmsg : '',
      httpStatus: status,
    });
  }
  if (status !== 200) throw toWecomError(path, { kind: 'http', status });
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw toWecomError(path, { kind: 'contract', error: parsed.error, body });
  return parsed.data;
}
