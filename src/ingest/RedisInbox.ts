import { duplicateRedis } from '../datasources/duplicateRedis.js';
import type { RedisClient } from '../datasources/RedisClient.js';
import type { Inbox, InboxEntry, InboxEvent } from './Inbox.js';

const GROUP = 'ingest';
/** Beyond this backlog the oldest entries are trimmed (approximate MAXLEN); alerts fire long before. */
const MAX_LEN = 1_000_000;

/**
 * A Redis stream with one consumer group shared by every replica. Acked entries are deleted, so
 * XLEN is the depth. Entries a crashed worker took are claimed again (XAUTOCLAIM) once idle
 * for `reclaimAfterMs`.
 */
export class RedisInbox implements Inbox {
  readonly #key: string;
  /** Blocking reads hold a connection, so they get their own. */
  readonly #reader: RedisClient;
  #groupReady: Promise<void> | null = null;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly reclaimAfterMs = 30_000,
  ) {
    this.#key = `${prefix}inbox`;
    // Queue the first read until this connection is up (the shared client has no offline queue).
    this.#reader = duplicateRedis(redis, { enableOfflineQueue: true });
    // Read failures surface in the worker loop; the connection reconnects by itself.
    this.#reader.on('error', () => {});
  }

  async push(event: InboxEvent): Promise<void> {
    await this.redis.xadd(this.#key, 'MAXLEN', '~', MAX_LEN, '*', 'e', JSON.stringify(event));
  }

  async take(consumer: string, max: number, waitMs: number): Promise<InboxEntry[]> {
    await this.#ensureGroup();
    const [, claimed] = (await this.redis.xautoclaim(
      this.#key,
      GROUP,
      consumer,
      this.reclaimAfterMs,
      '0-0',
      'COUNT',
      max,
    )) as [string, [string, string[]][]];
    if (claimed.length > 0) return this.#withDeliveryCounts(claimed);
    const reply = (await this.#reader.xreadgroup(
      'GROUP',
      GROUP,
      consumer,
      'COUNT',
      max,
      'BLOCK',
      Math.max(1, waitMs),
      'STREAMS',
      this.#key,
      '>',
    )) as [string, [string, string[]][]][] | null;
    return (reply?.[0]?.[1] ?? []).flatMap(([id, fields]) => parseEntry(id, fields, 1));
  }

  async ack(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.redis
      .multi()
      .xack(this.#key, GROUP, ...ids)
      .xdel(this.#key, ...ids)
      .exec();
  }

  async depth(): Promise<number> {
    return this.redis.xlen(this.#key);
  }

  async close(): Promise<void> {
    this.#reader.disconnect();
  }

  #ensureGroup(): Promise<void> {
    this.#groupReady ??= this.redis
      .xgroup('CREATE', this.#key, GROUP, '0', 'MKSTREAM')
      .then(() => undefined)
      .catch((error: Error) => {
        if (!error.message.includes('BUSYGROUP')) {
          this.#groupReady = null;
          throw error;
        }
      });
    return this.#groupReady;
  }

  async #withDeliveryCounts(entries: [string, string[]][]): Promise<InboxEntry[]> {
    const counts = new Map<string, number>();
    for (const [id] of entries) {
      const pending = (await this.redis.xpending(this.#key, GROUP, id, id, 1)) as [
        string,
        string,
        number,
        number,
      ][];
      counts.set(id, pending[0]?.[3] ?? 1);
    }
    return entries.flatMap(([id, fields]) => parseEntry(id, fields, counts.get(id) ?? 1));
  }
}

function parseEntry(id: string, fields: string[], deliveries: number): InboxEntry[] {
  const raw = fields[fields.indexOf('e') + 1];
  if (raw === undefined) return [];
  return [{ ...(JSON.parse(raw) as InboxEvent), id, deliveries }];
}
