import type { GraphQLError } from 'graphql';
import type { YogaLogger } from 'graphql-yoga';
import type { Logger } from '../logging/Logger.js';
import { ErrorCode } from './codes.js';
import { isGraphQLError } from './maskError.js';

export type MaskError = (error: unknown, message: string) => Error;

type Level = keyof Logger;

/**
 * Every masked error logged once, with its request id, path and stack: INTERNAL_SERVER_ERROR at
 * error, STORE_UNAVAILABLE at warn (the cause behind "retry shortly"). Errors are masked in two
 * places: useMaskedErrorLog masks execution results and subscription streams that throw (with
 * the operation's logger, which carries the request id), and yoga masks what never reached it
 * (a context that could not be built, a plugin that threw) through `wrap`'s maskError, which logs
 * with the logger the error was `attribute`d to where the request was known, else without an
 * id. yoga's own logger comes here too (`yogaLogger`), without its second line for an error
 * already masked.
 *
 * No AsyncLocalStorage: enabling it on Node 20 costs every promise of the process its hooks, and
 * measured 2.1 KB more heap per live subscriber at 10k (17.4 → 19.5 KB, `npm run bench -- --only=fanout`).
 */
export class MaskedErrorLog {
  /** Errors already masked here: logged (or coded on purpose), so never logged again. */
  readonly #seen = new WeakSet<object>();
  /** The logger (with its request id) of whoever caught an error before yoga masked it. */
  readonly #attributed = new WeakMap<object, Logger>();

  constructor(private readonly logger: Logger) {}

  /** Logs `error` once if `masked` (what the client sees) hides it; `logger` carries the request id. */
  note(error: unknown, masked: Error, logger?: Logger): void {
    const cause = isGraphQLError(error) && error.originalError ? error.originalError : error;
    const first = !this.#has(error) && !this.#has(cause);
    this.#remember(error);
    this.#remember(cause);
    const code = (masked as Partial<GraphQLError>).extensions?.['code'];
    if (!first || (code !== ErrorCode.INTERNAL_SERVER_ERROR && code !== ErrorCode.STORE_UNAVAILABLE)) return;
    const path = (masked as Partial<GraphQLError>).path?.join('.');
    const at: Level = code === ErrorCode.STORE_UNAVAILABLE ? 'warn' : 'error';
    const line = { err: cause, code, ...(path ? { path } : {}) };
    (logger ?? this.#loggerOf(error) ?? this.#loggerOf(cause) ?? this.logger)[at](line, 'masked error');
  }

  /** `error` was met serving a request whose logger is `logger`: yoga's masking logs it there. */
  attribute(error: unknown, logger: Logger): void {
    if (typeof error === 'object' && error !== null) this.#attributed.set(error, logger);
  }

  /** yoga's `maskedErrors.maskError`: `maskError`, and a log line for what it hid. */
  wrap(maskError: MaskError): MaskError {
    return (error, message) => {
      const masked = maskError(error, message);
      if (masked !== error) this.note(error, masked);
      return masked;
    };
  }

  /** yoga's logger, at the same levels; its line for an error masked here is left out. */
  get yogaLogger(): YogaLogger {
    const at =
      (level: Level) =>
      (...args: unknown[]): void => {
        if (level === 'error' && args.length > 0 && args.every((a) => this.#has(a))) return;
        const err = args.find((a) => a instanceof Error);
        const text = args.filter((a) => typeof a === 'string').join(' ');
        this.logger[level]({ ...(err ? { err } : {}), from: 'graphql-yoga' }, text || 'graphql-yoga');
      };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  }

  #loggerOf(value: unknown): Logger | undefined {
    return typeof value === 'object' && value !== null ? this.#attributed.get(value) : undefined;
  }

  #has(value: unknown): boolean {
    return typeof value === 'object' && value !== null && this.#seen.has(value);
  }

  #remember(value: unknown): void {
    if (typeof value === 'object' && value !== null) this.#seen.add(value);
  }
}
