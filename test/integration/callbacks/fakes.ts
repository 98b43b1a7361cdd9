import type { AuthEvents } from '../../../src/datasources/corps/ports.js';
import type { CorpRecord } from '../../../src/datasources/store/ports.js';

/** Test doubles for the PORTS the callback handler talks to (never for the module under test). */

export type Deferred<T> = { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void };

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Rejects when `promise` has not settled within `ms`: a bound on waiting, not a sleep. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Records calls and lets a test wait for the n-th one. */
export class Recorder<T> {
  readonly calls: T[] = [];
  readonly #waiters: { count: number; done: () => void }[] = [];

  record(call: T): void {
    this.calls.push(call);
    for (const waiter of this.#waiters.filter((w) => this.calls.length >= w.count)) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.done();
    }
  }
  waitFor(count: number, ms = 5000): Promise<void> {
    if (this.calls.length >= count) return Promise.resolve();
    const d = deferred();
    this.#waiters.push({ count, done: d.resolve });
    return within(d.promise, ms, `${count} recorded calls (have ${this.calls.length})`);
  }
}

export type LogEntry = { level: 'debug' | 'info' | 'warn' | 'error'; obj: object; msg: string | undefined };

export function recordingLogger() {
  const entries = new Recorder<LogEntry>();
  const at = (level: LogEntry['level']) => (obj: object, msg?: string) => entries.record({ level, obj, msg });
  // debug too: per-callback lines are at debug, and no level may carry a secret.
  return { entries, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

export function corpRecord(corpId: string): CorpRecord {
  return {
    corpId,
    name: null,
    status: 'ACTIVE',
    authorizedAt: 0,
    cancelledAt: null,
    publicKeyVersion: null,
  };
}

/** Recording AuthEvents; `createAuthImpl` lets a test make createAuth slow or failing. */
export function recordingAuth(
  createAuthImpl: (code: string) => Promise<CorpRecord> = async () => corpRecord('wwcorp'),
) {
  const calls = new Recorder<{ method: keyof AuthEvents; arg: string }>();
  const auth: AuthEvents = {
    createAuth: async (code) => {
      calls.record({ method: 'createAuth', arg: code });
      return createAuthImpl(code);
    },
    changeAuth: async (corpId) => calls.record({ method: 'changeAuth', arg: corpId }),
    cancelAuth: async (corpId) => {
      calls.record({ method: 'cancelAuth', arg: corpId });
      return null;
    },
    resetPermanentCode: async (code) => {
      calls.record({ method: 'resetPermanentCode', arg: code });
      return createAuthImpl(code);
    },
    archiveExpired: async (corpId) => calls.record({ method: 'archiveExpired', arg: corpId }),
    recordEventFailure: async (corpId) => calls.record({ method: 'recordEventFailure', arg: corpId }),
    markIfOrphan: async () => false,
    recheckCancels: async () => [],
  };
  return { auth, calls };
}
