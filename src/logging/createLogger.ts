import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';
import type { Logger } from './Logger.js';

/**
 * Fields that may carry a secret wherever they appear in a log object, one or two levels deep
 * (pino's redaction is by path). Values are replaced by `[redacted]`; the rest of the line stays.
 * Code should not log secrets in the first place: this is the net under that rule.
 */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'cookie',
  'token',
  'access_token',
  'suite_access_token',
  'accessToken',
  'suiteTicket',
  'suite_ticket',
  'suiteSecret',
  'suite_secret',
  'secret',
  'secretKey',
  'secret_key',
  'permanentCode',
  'permanent_code',
  'privateKey',
  'privateKeyPem',
  'masterKey',
  'callbackAesKey',
  'encodingAesKey',
  'callbackToken',
  'password',
  'key',
  'apiKey',
];

export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  'req.headers.authorization',
  'headers.authorization',
  'connectionParams.authorization',
];

export type CreateLoggerOptions = {
  level: string;
  /** Where lines go; default stdout. Tests pass a buffer. */
  destination?: DestinationStream;
};

/** The gateway's pino logger: JSON lines, name `gateway`, secrets redacted. */
export function createLogger(options: CreateLoggerOptions): Logger & PinoLogger {
  const config = {
    level: options.level,
    name: 'gateway',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A logger that adds `bindings` to every line (pino's child when available). */
export function childLogger(logger: Logger, bindings: Record<string, unknown>): Logger {
  const child = (logger as { child?: (b: Record<string, unknown>) => Logger }).child;
  if (typeof child === 'function') return child.call(logger, bindings);
  return {
    debug: (obj, msg) => logger.debug({ ...bindings, ...obj }, msg),
    info: (obj, msg) => logger.info({ ...bindings, ...obj }, msg),
    warn: (obj, msg) => logger.warn({ ...bindings, ...obj }, msg),
    error: (obj, msg) => logger.error({ ...bindings, ...obj }, msg),
  };
}

/**
 * `childLogger`, created on the first line logged. A request-scoped logger is built for every
 * operation but rarely written to; pino's child applies the redaction to its bindings up front,
 * which costs more than most operations' own logging.
 */
export function lazyChildLogger(logger: Logger, bindings: Record<string, unknown>): Logger {
  return new LazyChildLogger(logger, bindings);
}

class LazyChildLogger implements Logger {
  #child: Logger | null = null;
  constructor(
    private readonly parent: Logger,
    private readonly bindings: Record<string, unknown>,
  ) {}
  #get(): Logger {
    this.#child ??= childLogger(this.parent, this.bindings);
    return this.#child;
  }
  debug(obj: object, msg?: string): void {
    this.#get().debug(obj, msg);
  }
  info(obj: object, msg?: string): void {
    this.#get().info(obj, msg);
  }
  warn(obj: object, msg?: string): void {
    this.#get().warn(obj, msg);
  }
  error(obj: object, msg?: string): void {
    this.#get().error(obj, msg);
  }
}
