import type { DestinationStream } from 'pino';
import { describe, expect, it } from 'vitest';
import { childLogger, createLogger } from '../../../src/logging/createLogger.js';

describe('createLogger', () => {
  it('redacts secret-named fields at any of the first three levels and keeps the rest', () => {
    const lines: string[] = [];
    const destination: DestinationStream = { write: (l: string) => void lines.push(l) };
    const logger = createLogger({ level: 'debug', destination });
    logger.info({ authorization: 'Bearer s3cret-a', headers: { authorization: 'Bearer s3cret-b' } }, 'one');
    logger.info(
      { req: { body: { permanent_code: 's3cret-c', suite_secret: 's3cret-d' } }, corpId: 'ww1' },
      'two',
    );
    childLogger(logger, { requestId: 'r-1' }).warn({ token: 's3cret-e', privateKey: 's3cret-f' }, 'three');
    const text = lines.join('');
    expect(text).not.toMatch(/s3cret-/);
    expect(text).toContain('"corpId":"ww1"');
    expect(text).toContain('"requestId":"r-1"');
    expect(text.match(/\[redacted\]/g)?.length).toBe(6);
  });
});
