import type { IncomingMessage } from 'node:http';
import { CallbackError } from './CallbackError.js';

/**
 * Reads a request body as UTF-8, refusing more than `maxBytes`: by Content-Length before reading,
 * and by counting while reading (chunked bodies have no length). The excess is never buffered.
 */
export function readCappedBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = (got: string) =>
    new CallbackError('BODY_TOO_LARGE', `callback body must be at most ${maxBytes} bytes, got ${got}`);
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(tooLarge(`Content-Length ${declared}`));
  }
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        // Keep draining (discarding) so the 413 can be written; the response closes the connection.
        req.resume();
        reject(tooLarge(`more than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size).toString('utf8'));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => onError(new Error('client closed the connection before the body ended'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
