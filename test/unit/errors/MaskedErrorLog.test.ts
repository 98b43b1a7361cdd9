import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MaskedErrorLog } from '../../../src/errors/MaskedErrorLog.js';
import { createMaskError } from '../../../src/errors/maskError.js';
import type { Logger } from '../../../src/logging/Logger.js';

type Line = { level: string; obj: Record<string, unknown>; msg: string | undefined };

function recorder(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (obj: object, msg?: string) => {
    lines.push({ level, obj: obj as Record<string, unknown>, msg });
  };
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

describe('MaskedErrorLog', () => {
  it('logs what it masks once, with the logger it was attributed to and the cause: STORE_UNAVAILABLE at warn', () => {
    const { logger, lines } = recorder();
    const request = recorder();
    const log = new MaskedErrorLog(logger);
    const mask = log.wrap(createMaskError(false));
    const outage = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    const located = new GraphQLError(outage.message, { path: ['corp', 'name'], originalError: outage });
    // Caught where the request was known (a context that could not be built), masked later by yoga.
    log.attribute(outage, request.logger);
    const masked = mask(located, 'Unexpected error.');
    expect((masked as GraphQLError).extensions['code']).toBe('STORE_UNAVAILABLE');
    // Masked again (yoga's masker after ours, a shared event per subscriber): no second line.
    mask(located, 'Unexpected error.');
    expect(request.lines).toEqual([
      {
        level: 'warn',
        obj: { err: outage, code: 'STORE_UNAVAILABLE', path: 'corp.name' },
        msg: 'masked error',
      },
    ]);
    expect(lines).toEqual([]);
  });

  it('logs INTERNAL_SERVER_ERROR at error, not the coded errors a client is meant to see', () => {
    const { logger, lines } = recorder();
    const mask = new MaskedErrorLog(logger).wrap(createMaskError(false));
    const boom = new TypeError('x is undefined');
    mask(boom, 'Unexpected error.');
    mask(new GraphQLError('first must be 1..100, got 500', { extensions: { code: 'BAD_USER_INPUT' } }), 'x');
    expect(lines).toEqual([
      { level: 'error', obj: { err: boom, code: 'INTERNAL_SERVER_ERROR' }, msg: 'masked error' },
    ]);
  });

  it("routes yoga's logger at its levels, leaving out its line for an error masked here", () => {
    const { logger, lines } = recorder();
    const log = new MaskedErrorLog(logger);
    const boom = new Error('context failed');
    log.wrap(createMaskError(false))(boom, 'Unexpected error.');
    const yoga = log.yogaLogger;
    yoga.error(boom);
    yoga.debug('Processing GraphQL Parameters');
    const other = new Error('not masked here');
    yoga.error(other);
    expect(lines.slice(1)).toEqual([
      {
        level: 'debug',
        obj: { from: 'graphql-yoga' },
        msg: 'Processing GraphQL Parameters',
      },
      { level: 'error', obj: { err: other, from: 'graphql-yoga' }, msg: 'graphql-yoga' },
    ]);
  });
});
