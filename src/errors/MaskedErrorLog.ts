import type { GraphQLError } from 'graphql';
import type { YogaLogger } from 'graphql-yoga';
import type { Logger } from '../logging/Logger.js';
import { requestScope } from '../logging/requestScope.js';
import { ErrorCode } from './codes.js';
import { isGraphQLError } from './maskError.js';

export type MaskError = (error: unknown, message: string) => Error;

type Level = keyof Logger;

/**
 * Every masked error logged once, with its request id, path and stack: INTERNAL_SERVER_ERROR at
 * error, STORE_UNAVAILABLE at warn (the cause behind "retry shortly"). Errors are masked in two
 * places: useMaskedErrorLog masks execution results (with the operation's logger, which carries
 * the request id), and yoga masks what never became a result — a context that could not be
 * built, a subscription source that threw mid-stream, a plugin that threw — through `wrap`'s
 * maskError, where the request id comes from requestScope. yoga's own logger comes here too
 * (`yogaLogger`), without its second line for an error already masked.
 */
export class MaskedErrorLog {
  /** Errors already masked here: logged (or coded on purpose), so never logged again. */
  readonly #seen = new WeakSet<object>();

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
    if (logger) logger[at](line, 'masked error');
    else this.logger[at]({ ...inScope(), ...line }, 'masked error');
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
        this.logger[level](
          { ...inScope(), ...(err ? { err } : {}), from: 'graphql-yoga' },
          text || 'graphql-yoga',
        );
      };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  }

  #has(value: unknown): boolean {
    return typeof value === 'object' && value !== null && this.#seen.has(value);
  }

  #remember(value: unknown): void {
    if (typeof value === 'object' && value !== null) this.#seen.add(value);
  }
}

function inScope(): { requestId?: string } {
  const requestId = requestScope.getStore()?.requestId;
  return requestId ? { requestId } : {};
}
