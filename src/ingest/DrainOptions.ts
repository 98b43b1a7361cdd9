import type { KeyValueStore } from '../datasources/store/ports.js';
import type { WecomApi } from '../datasources/wecom/ports.js';
import type { Logger } from '../logging/Logger.js';
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
