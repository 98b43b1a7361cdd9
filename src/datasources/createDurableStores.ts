import type { Logger } from '../logging/Logger.js';
import type { MessageIndex } from './store/MessageIndex.js';
import { KvCorpRegistry } from './store/memory/KvCorpRegistry.js';
import { KvTaskStore } from './store/memory/KvTaskStore.js';
import { MemoryHitStore } from './store/memory/MemoryHitStore.js';
import { MemoryKeyStore } from './store/memory/MemoryKeyStore.js';
import { MemoryKeyValueStore } from './store/memory/MemoryKeyValueStore.js';
import { MemoryMessageIndex } from './store/memory/MemoryMessageIndex.js';
import { MemoryPendingCancelStore } from './store/memory/MemoryPendingCancelStore.js';
import { MemorySuiteTicketStore } from './store/memory/MemorySuiteTicketStore.js';
import type {
  CorpRegistry,
  HitStore,
  KeyStore,
  PendingCancelStore,
  SuiteTicketStore,
  SyncStateTable,
  TaskStore,
} from './store/ports.js';
import { createPgPool, type PgPool } from './store/postgres/createPgPool.js';
import { migrate } from './store/postgres/migrate.js';
import { PgCorpRegistry } from './store/postgres/PgCorpRegistry.js';
import { PgHitStore } from './store/postgres/PgHitStore.js';
import { PgKeyStore } from './store/postgres/PgKeyStore.js';
import { PgMessageIndex } from './store/postgres/PgMessageIndex.js';
import { PgPartitions } from './store/postgres/PgPartitions.js';
import { PgPendingCancelStore } from './store/postgres/PgPendingCancelStore.js';
import { PgSuiteTicketStore } from './store/postgres/PgSuiteTicketStore.js';
import { PgSyncStateTable } from './store/postgres/PgSyncStateTable.js';
import { PgTaskStore } from './store/postgres/PgTaskStore.js';
import type { SecretBox } from './store/secretBox.js';

/** What must survive anything Redis does: PostgreSQL with `DATABASE_URL`, process memory without. */
export type DurableStores = {
  kind: 'postgres' | 'memory';
  /** The pool, for stores built elsewhere (statistics, alerts); null on memory. */
  pool: PgPool | null;
  corps: CorpRegistry;
  /** The display app's authorizations (its own permanent codes). */
  displayCorps: CorpRegistry;
  keys: KeyStore;
  tasks: TaskStore & { dropBefore?(before: number): Promise<number> };
  hits: HitStore;
  syncState: SyncStateTable;
  index: MessageIndex;
  suiteTickets: SuiteTicketStore;
  /** cancel_auth events the upstream did not confirm, re-checked a while (each app's). */
  pendingCancels: { archive: PendingCancelStore; display: PendingCancelStore };
  /** Resolves when the store answers (for /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
};

/**
 * Opens the store of record: with a URL, a pool and the migrations (under an advisory lock, so
 * replicas starting together apply them once); without, memory stores for a single process.
 */
export async function createDurableStores(
  database: { url: string | undefined; poolMax: number },
  box: SecretBox,
  logger: Logger,
): Promise<DurableStores> {
  if (!database.url) {
    const index = new MemoryMessageIndex();
    const kv = new MemoryKeyValueStore();
    return {
      kind: 'memory',
      pool: null,
      corps: new KvCorpRegistry(kv, box),
      displayCorps: new KvCorpRegistry(new MemoryKeyValueStore(), box),
      keys: new MemoryKeyStore(),
      tasks: new KvTaskStore(kv),
      hits: new MemoryHitStore(),
      syncState: index.state,
      index,
      suiteTickets: new MemorySuiteTicketStore(),
      pendingCancels: { archive: new MemoryPendingCancelStore(), display: new MemoryPendingCancelStore() },
      ping: async () => undefined,
      close: () => kv.close(),
    };
  }
  const pool = createPgPool(database.url, logger, database.poolMax);
  try {
    await migrate(pool, logger);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  let closed = false;
  return {
    kind: 'postgres',
    pool,
    corps: new PgCorpRegistry(pool, box),
    displayCorps: new PgCorpRegistry(pool, box, 'display_corps'),
    keys: new PgKeyStore(pool),
    tasks: new PgTaskStore(pool),
    hits: new PgHitStore(pool, { registeredOnly: true }),
    syncState: new PgSyncStateTable(pool, { registeredOnly: true }),
    index: new PgMessageIndex(pool, new PgPartitions(pool, logger), logger, { registeredOnly: true }),
    suiteTickets: new PgSuiteTicketStore(pool),
    pendingCancels: {
      archive: new PgPendingCancelStore(pool, 'archive'),
      display: new PgPendingCancelStore(pool, 'display'),
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
