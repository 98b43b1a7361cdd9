import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { RsaDecryptError } from './RsaDecryptError.js';
import type { RsaPadding } from './rsaDecrypt.js';

export type ForgeDecryptRequest = {
  privateKeyPem: string;
  ciphertext: Uint8Array;
  padding: RsaPadding;
};

export type ForgeDecryptPoolOptions = {
  /** Worker threads. Default min(2, os.availableParallelism()). */
  workers?: number;
  /** Requests waiting for a free worker before new ones are refused (QUEUE_FULL). Default 10 000. */
  maxQueue?: number;
  /** Worker module; tests swap in one that can crash. Default ./forgeDecryptWorker.mjs. */
  workerUrl?: URL;
};

type Reply = { plaintext?: Uint8Array; error?: string };

/**
 * RSA-decrypts with node-forge (a maintained library that still does PKCS#1 v1.5, which Node 20
 * refuses) on a piscina worker pool: forge is pure JS at ~46 ms per 2048-bit decrypt, which would
 * stall every request on the event loop. One task per worker at a time, so a crash loses one
 * request only; piscina replaces the worker (but not one that fails while starting, so a broken
 * worker fails requests instead of respawning in a loop), and the rest wait in its bounded queue.
 */
export class ForgeDecryptPool {
  readonly #pool: Piscina<ForgeDecryptRequest, Reply>;
  readonly #maxQueue: number;
  #closed = false;

  constructor(options: ForgeDecryptPoolOptions = {}) {
    const workers = options.workers ?? Math.min(2, availableParallelism());
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
      throw new RangeError(`workers must be an integer 1..64, got ${workers}`);
    }
    this.#maxQueue = options.maxQueue ?? 10_000;
    this.#pool = new Piscina({
      filename: (options.workerUrl ?? new URL('./forgeDecryptWorker.mjs', import.meta.url)).href,
      minThreads: workers,
      maxThreads: workers,
      concurrentTasksPerWorker: 1,
      maxQueue: this.#maxQueue,
      // Workers are only replaced, never retired for idleness: a decrypt after a quiet hour
      // should not pay a thread start plus forge's module load.
      idleTimeout: Number.POSITIVE_INFINITY,
    });
    // Emitted when a worker dies with no task on it; the next task's own failure is what counts.
    this.#pool.on('error', () => undefined);
  }

  async decrypt(request: ForgeDecryptRequest): Promise<Buffer> {
    if (this.#closed) throw new RsaDecryptError('POOL_CLOSED', 'RSA decrypt pool is closed');
    // A fresh buffer per task: Buffers from base64 share an 8 KiB pool that would be cloned whole.
    const ciphertext = new Uint8Array(request.ciphertext);
    const { privateKeyPem, padding } = request;
    let reply: Reply;
    try {
      reply = await this.#pool.run(
        { privateKeyPem, ciphertext, padding },
        { transferList: [ciphertext.buffer] },
      );
    } catch (error) {
      throw this.#poolFailure(error as Error);
    }
    if (reply.plaintext) {
      const { buffer, byteOffset, byteLength } = reply.plaintext;
      return Buffer.from(buffer, byteOffset, byteLength);
    }
    throw new RsaDecryptError(
      'DECRYPT_FAILED',
      `RSA decrypt (${padding} padding) failed: ${reply.error ?? 'no reason given'}`,
    );
  }

  /** Terminates the workers; queued and in-flight requests reject with POOL_CLOSED. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.destroy();
  }

  /** piscina rejects with plain Errors; these are its messages (piscina 5, src/errors.ts). */
  #poolFailure(error: Error): RsaDecryptError {
    if (this.#closed)
      return new RsaDecryptError('POOL_CLOSED', 'RSA decrypt pool closed before the request ran');
    if (error.message === 'Task queue is at limit') {
      return new RsaDecryptError('QUEUE_FULL', `RSA decrypt queue holds at most ${this.#maxQueue} requests`);
    }
    const exit = /^worker exited with code: (\d+)$/.exec(error.message);
    const cause = exit ? `exit code ${exit[1]}` : error.message;
    return new RsaDecryptError('WORKER_CRASHED', `RSA decrypt worker died mid-request: ${cause}`);
  }
}
