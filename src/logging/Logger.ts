/**
 * The slice of pino the datasources use, so tests and other hosts can pass any compatible
 * logger (a pino instance satisfies it). Objects first, message second, as pino expects.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};

/** Discards everything; the default in tests. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
