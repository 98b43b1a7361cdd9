import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { ProtectionConfig } from '../config/config.js';
import { ErrorCode } from '../errors/codes.js';
import type { Logger } from '../logging/Logger.js';

export type OperationParams = {
  query?: string | null | undefined;
  operationName?: string | null | undefined;
  extensions?: Record<string, unknown> | null | undefined;
};

/**
 * The persisted-operation allow-list and its mode (usePersistedOperationsMode applies it to every
 * operation, HTTP or graphql-ws). Keys are SHA-256 hex digests of the document text, as
 * Apollo's `extensions.persistedQuery.sha256Hash` sends them.
 *  - `log`: anything runs; a document not on the list is logged (once per digest).
 *  - `enforce`: only listed documents run, by digest or by identical text; admin clients may
 *    send any document, so operators keep GraphiQL.
 */
export class PersistedOperations {
  readonly #logged = new Set<string>();
  readonly #digests = new DigestCache();

  constructor(
    readonly mode: ProtectionConfig['persisted']['mode'],
    private readonly operations: Readonly<Record<string, string>>,
    private readonly logger: Logger,
    private readonly onUnknown: (mode: 'log' | 'enforce') => void = () => {},
  ) {}

  get(hash: string): string | null {
    return Object.hasOwn(this.operations, hash) ? this.operations[hash]! : null;
  }

  /** Checks a document sent as text; throws PERSISTED_QUERY_ONLY when `enforce` refuses it. */
  #admit(params: OperationParams, isAdmin: boolean): void {
    if (this.mode === 'off' || !params.query) return;
    const hash = this.#digests.of(params.query);
    if (this.get(hash) !== null) return;
    if (this.mode === 'log' || isAdmin) {
      this.onUnknown('log');
      if (this.#logged.size < 10_000 && !this.#logged.has(hash)) {
        this.#logged.add(hash);
        this.logger.warn(
          { hash, operationName: params.operationName ?? null },
          'operation not in the persisted list',
        );
      }
      return;
    }
    this.onUnknown('enforce');
    throw new GraphQLError(
      `only persisted operations may run here: send extensions.persistedQuery.sha256Hash of a listed document (this document's sha256 is ${hash})`,
      { extensions: { code: ErrorCode.PERSISTED_QUERY_ONLY, hash, http: { spec: true, status: 400 } } },
    );
  }

  /**
   * The document to run, from the text or the digest; throws a coded GraphQLError
   * (PERSISTED_QUERY_NOT_FOUND, PERSISTED_QUERY_ONLY) when there is none to run.
   */
  resolve(params: OperationParams, isAdmin: boolean): string {
    const hash = persistedHash(params.extensions);
    if (!params.query && hash !== null) {
      const document = this.mode === 'off' ? null : this.get(hash);
      if (document === null) throw persistedNotFound(hash);
      return document;
    }
    if (!params.query) {
      throw new GraphQLError('a request needs a query or extensions.persistedQuery.sha256Hash', {
        extensions: { code: ErrorCode.PERSISTED_QUERY_NOT_FOUND, http: { spec: true, status: 400 } },
      });
    }
    this.#admit(params, isAdmin);
    return params.query;
  }
}

export function persistedNotFound(hash: string): GraphQLError {
  return new GraphQLError(
    `no persisted operation has sha256 ${hash}: send the full document or a listed digest`,
    {
      extensions: { code: ErrorCode.PERSISTED_QUERY_NOT_FOUND, hash, http: { spec: true, status: 400 } },
    },
  );
}

export function persistedHash(extensions: Record<string, unknown> | null | undefined): string | null {
  const pq = extensions?.['persistedQuery'] as { sha256Hash?: unknown } | undefined;
  return typeof pq?.sha256Hash === 'string' ? pq.sha256Hash : null;
}

/** Documents whose digest is remembered; past it the oldest is forgotten. */
const DIGESTS_KEPT = 1000;
/** Longer documents are hashed every time, so the cache holds at most ~4 M characters. */
const MAX_DIGESTED_LENGTH = 4096;

/**
 * SHA-256 hex of document texts, remembered per text: clients send the same few documents
 * over and over, and `log` and `enforce` judge every one of them by its digest.
 */
export class DigestCache {
  readonly #digests = new Map<string, string>();
  constructor(
    private readonly capacity = DIGESTS_KEPT,
    private readonly maxLength = MAX_DIGESTED_LENGTH,
  ) {}

  of(text: string): string {
    const known = this.#digests.get(text);
    if (known !== undefined) return known;
    const digest = sha256(text);
    if (text.length <= this.maxLength && this.capacity > 0) {
      if (this.#digests.size >= this.capacity)
        this.#digests.delete(this.#digests.keys().next().value as string);
      this.#digests.set(text, digest);
    }
    return digest;
  }

  /** Texts remembered now. */
  get size(): number {
    return this.#digests.size;
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
