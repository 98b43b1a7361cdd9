import type { Logger } from '../datasources/Logger.js';
import type { KeyValueStore, WecomApi } from '../datasources/ports.js';
import type { EventBus } from './EventBus.js';
import type { SyncStateStore } from './SyncStateStore.js';

/** What every per-corp drain loop (messages, keyword hits) needs: upstream, lease, bookkeeping, bus. */
export type DrainOptions = {
  api: WecomApi;
  kv: KeyValueStore;
  /** Cursor and callback token of this drain. */
  state: SyncStateStore;
  bus: EventBus;
  logger: Logger;
  /** Unique per process: the lock owner. */
  owner: string;
  leaseMs: number;
  pageLimit: number;
  now?: () => number;
};
