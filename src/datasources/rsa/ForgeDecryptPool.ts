import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
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
  /** Worker script; tests swap in one that can crash. Default ./forgeDecryptWorker.mjs. */
  workerUrl?: URL;
};

type Job = {
  id: number;
  request: ForgeDecryptRequest;
  resolve: (plain: Buffer) => void;
  reject: (error: Error) => void;
};
type Slot = { worker: Worker; job: Job | null; failure: Error | null };
type Reply = { id: number; plaintext?: Uint8Array; error?: string };

/**
 * RSA-decrypts with node-forge (a maintained library that still does PKCS#1 v1.5, which Node 20
 * refuses) on worker threads: forge is pure JS at ~46 ms per 2048-bit decrypt, which would stall
 * every request on the event loop. One job per worker at a time, so a crash loses one job only;
 * the rest wait in a bounded FIFO. A crashed worker is replaced when next needed, so a worker that
 * cannot start fails requests one by one instead of respawning in a loop.
 */
export class ForgeDecryptPool {
  readonly #slots: (Slot | null)[];
  readonly #queue: Job[] = [];
  readonly #maxQueue: number;
  readonly #workerUrl: URL;
  #nextId = 1;
  #closed = false;

  constructor(options: ForgeDecryptPoolOptions = {}) {
    const workers = options.workers ?? Math.min(2, availableParallelism());
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
      throw new RangeError(`workers must be an integer 1..64, got ${workers}`);
    }
    this.#maxQueue = options.maxQueue ?? 10_000;
    this.#workerUrl = options.workerUrl ?? new URL('./forgeDecryptWorker.mjs', import.meta.url);
    this.#slots = Array.from({ length: workers }, () => null);
  }

  decrypt(request: ForgeDecryptRequest): Promise<Buffer> {
    if (this.#closed) return Promise.reject(new RsaDecryptError('POOL_CLOSED', 'RSA decrypt pool is closed'));
    if (this.#queue.length >= this.#maxQueue) {
      return Promise.reject(
        new RsaDecryptError('QUEUE_FULL', `RSA decrypt queue holds at most ${this.#maxQueue} requests`),
      );
    }
    return new Promise<Buffer>((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, request, resolve, reject });
      this.#pump();
    });
  }

  /** Terminates the workers; queued and in-flight requests reject with POOL_CLOSED. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new RsaDecryptError('POOL_CLOSED', 'RSA decrypt pool closed before the request ran');
    for (const job of this.#queue.splice(0)) job.reject(closed);
    const running = this.#slots.filter((s): s is Slot => s !== null);
    this.#slots.fill(null);
    for (const slot of running) slot.job?.reject(closed);
    await Promise.all(running.map((s) => s.worker.terminate()));
  }

  #pump(): void {
    for (let i = 0; i < this.#slots.length && this.#queue.length > 0; i++) {
      const slot = this.#slots[i] ?? this.#spawn(i);
      if (slot.job !== null) continue;
      const job = this.#queue.shift()!;
      slot.job = job;
      // A fresh buffer per message: Buffers from base64 share an 8 KiB pool that would be cloned whole.
      const ciphertext = new Uint8Array(job.request.ciphertext);
      const { privateKeyPem, padding } = job.request;
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, privateKeyPem, ciphertext, padding }, [ciphertext.buffer]);
    }
  }

  #spawn(index: number): Slot {
    const worker = new Worker(this.#workerUrl);
    const slot: Slot = { worker, job: null, failure: null };
    this.#slots[index] = slot;
    worker.unref();
    worker.on('message', (reply: Reply) => this.#settle(slot, reply));
    // 'exit' follows 'error'; keep the cause for the rejection there.
    worker.on('error', (error) => {
      slot.failure = error;
    });
    worker.on('exit', (exitCode) => this.#lost(index, slot, exitCode));
    return slot;
  }

  #settle(slot: Slot, reply: Reply): void {
    const job = slot.job;
    if (job === null || job.id !== reply.id) return;
    slot.job = null;
    slot.worker.unref();
    if (reply.plaintext) {
      const { buffer, byteOffset, byteLength } = reply.plaintext;
      job.resolve(Buffer.from(buffer, byteOffset, byteLength));
    } else {
      job.reject(
        new RsaDecryptError(
          'DECRYPT_FAILED',
          `RSA decrypt (${job.request.padding} padding) failed: ${reply.error ?? 'no reason given'}`,
        ),
      );
    }
    this.#pump();
  }

  #lost(index: number, slot: Slot, exitCode: number): void {
    if (this.#slots[index] !== slot) return; // closed, or already replaced
    this.#slots[index] = null;
    const cause = slot.failure?.message ?? `exit code ${exitCode}`;
    slot.job?.reject(new RsaDecryptError('WORKER_CRASHED', `RSA decrypt worker died mid-request: ${cause}`));
    this.#pump();
  }
}
