import { duplicateRedis } from '../datasources/store/redis/duplicateRedis.js';
import { isCluster, type RedisClient } from '../datasources/store/redis/RedisClient.js';
import type { Inbox, InboxEntry, InboxEvent } from './Inbox.js';

const GROUP = 'ingest';
/** Beyond this backlog a shard's oldest entries are trimmed (approximate MAXLEN); alerts fire long before. */
const MAX_LEN = 1_000_000;

export type RedisInboxOptions = {
  /** An entry a crashed worker took is handed out again after this long idle, ms. Default 30000. */
  reclaimAfterMs?: number;
  /** Streams the inbox is spread over, by corp. Default 8. */
  shards?: number;
};

/**
 * Redis streams with one consumer group shared by every replica. The inbox is sharded: an
 * event goes to stream `inbox:{<n>}` chosen by a hash of its corp (suite-level events by the
 * suite id), so a Redis Cluster spreads the callback load over its masters instead of one hot
 * key, while one corp's events stay in one stream, in order. The pre-sharding stream `inbox` is
 * still read (never written), so entries queued before an upgrade are not stranded.
 * Acked entries are deleted, so the summed XLEN is the depth. Entries a crashed worker took are
 * claimed again (XAUTOCLAIM) once idle for `reclaimAfterMs`.
 */
export class RedisInbox implements Inbox {
  readonly #keys: string[];
  readonly #shards: number;
  /** Blocking reads hold a connection, so they get their own. */
  readonly #reader: RedisClient;
  readonly #reclaimAfterMs: number;
  readonly #groupReady = new Map<string, Promise<void>>();
  /** Next stream to read per consumer: each take blocks on one stream, round-robin. */
  readonly #cursor = new Map<string, number>();
  /** When each stream was last checked for abandoned entries (XAUTOCLAIM), ms. */
  readonly #claimedAt = new Map<string, number>();

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    options: RedisInboxOptions = {},
  ) {
    this.#shards = options.shards ?? 8;
    this.#reclaimAfterMs = options.reclaimAfterMs ?? 30_000;
    this.#keys = [
      ...Array.from({ length: this.#shards }, (_, n) => `${prefix}inbox:{${n}}`),
      `${prefix}inbox`,
    ];
    // Queue the first read until this connection is up (the shared client has no offline queue).
    this.#reader = duplicateRedis(redis, { enableOfflineQueue: true });
    // Read failures surface in the worker loop; the connection reconnects by itself.
    this.#reader.on('error', () => {});
  }

  async push(event: InboxEvent): Promise<void> {
    const e = event.event as { AuthCorpId?: unknown; SuiteId?: unknown };
    const owner = typeof e.AuthCorpId === 'string' ? e.AuthCorpId : String(e.SuiteId ?? '');
    const key = this.#keys[shardOf(owner, this.#shards)]!;
    await this.redis.xadd(key, 'MAXLEN', '~', MAX_LEN, '*', 'e', JSON.stringify(event));
  }

  async take(consumer: string, max: number, waitMs: number): Promise<InboxEntry[]> {
    try {
      return await this.#take(consumer, max, waitMs);
    } catch (error) {
      // Redis restarted empty (or someone deleted a stream): the group is gone. Make it again and
      // go on; without this every callback would be acknowledged and never processed.
      if (!(error as Error).message?.includes('NOGROUP')) throw error;
      this.#groupReady.clear();
      return this.#take(consumer, max, waitMs);
    }
  }

  /**
   * One node: one blocking read over every stream, so an event is taken the moment it lands. A
   * cluster refuses a read across slots (CROSSSLOT, even for slots on one master), so there a
   * take first reads every stream without blocking, in turn from a rotating start, until `max`
   * entries are taken; only when all are empty does it block, on one stream (the next in turn),
   * for `waitMs / streams`. An event on another stream then waits at most that long, not a
   * whole round of blocking reads.
   */
  async #take(consumer: string, max: number, waitMs: number): Promise<InboxEntry[]> {
    const all = this.#keys.map((_, i) => i);
    const reclaimed = await this.#reclaim(consumer, max, all);
    if (reclaimed.length > 0) return reclaimed;
    if (!isCluster(this.redis)) return this.#read(this.#reader, consumer, max, all, waitMs);
    const start = this.#cursor.get(consumer) ?? hashOf(consumer) % this.#keys.length;
    this.#cursor.set(consumer, (start + 1) % this.#keys.length);
    const order = all.map((i) => (start + i) % this.#keys.length);
    const taken: InboxEntry[] = [];
    for (const index of order) {
      if (taken.length >= max) break;
      taken.push(...(await this.#read(this.redis, consumer, max - taken.length, [index], null)));
    }
    if (taken.length > 0) return taken;
    const block = Math.max(1, Math.floor(waitMs / this.#keys.length));
    return this.#read(this.#reader, consumer, max, [start], block);
  }

  /** Entries a crashed worker took, once idle long enough; looked for at most twice a period. */
  async #reclaim(consumer: string, max: number, indexes: readonly number[]): Promise<InboxEntry[]> {
    const now = Date.now();
    for (const index of indexes) {
      const key = this.#keys[index]!;
      await this.#ensureGroup(key);
      if (now - (this.#claimedAt.get(key) ?? 0) < Math.min(1000, this.#reclaimAfterMs / 2)) continue;
      this.#claimedAt.set(key, now);
      const [, claimed] = (await this.redis.xautoclaim(
        key,
        GROUP,
        consumer,
        this.#reclaimAfterMs,
        '0-0',
        'COUNT',
        max,
      )) as [string, [string, string[]][]];
      if (claimed.length > 0) return this.#withDeliveryCounts(index, claimed);
    }
    return [];
  }

  /** New entries of these streams; `blockMs` null: answer at once. */
  async #read(
    client: RedisClient,
    consumer: string,
    max: number,
    indexes: readonly number[],
    blockMs: number | null,
  ): Promise<InboxEntry[]> {
    const keys = indexes.map((i) => this.#keys[i]!);
    const block = blockMs === null ? [] : ['BLOCK', Math.max(1, blockMs)];
    const reply = (await client.xreadgroup(
      'GROUP',
      GROUP,
      consumer,
      'COUNT',
      max,
      ...(block as ['BLOCK', number]),
      'STREAMS',
      ...keys,
      ...keys.map(() => '>'),
    )) as [string, [string, string[]][]][] | null;
    return (reply ?? []).flatMap(([key, entries]) => {
      const index = this.#keys.indexOf(key);
      return entries.flatMap(([id, fields]) => parseEntry(index, id, fields, 1));
    });
  }

  async ack(ids: readonly string[]): Promise<void> {
    const byKey = new Map<string, string[]>();
    for (const id of ids) {
      const slash = id.indexOf('/');
      const key = this.#keys[Number(id.slice(0, slash))];
      if (!key) throw new Error(`not an inbox entry id: ${id}`);
      byKey.set(key, [...(byKey.get(key) ?? []), id.slice(slash + 1)]);
    }
    // One MULTI per stream: a cluster runs a transaction only within one slot.
    for (const [key, streamIds] of byKey) {
      await this.redis
        .multi()
        .xack(key, GROUP, ...streamIds)
        .xdel(key, ...streamIds)
        .exec();
    }
  }

  async depth(): Promise<number> {
    const lengths = await Promise.all(this.#keys.map((key) => this.redis.xlen(key)));
    return lengths.reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    this.#reader.disconnect();
  }

  #ensureGroup(key: string): Promise<void> {
    let ready = this.#groupReady.get(key);
    if (!ready) {
      ready = this.redis
        .xgroup('CREATE', key, GROUP, '0', 'MKSTREAM')
        .then(() => undefined)
        .catch((error: Error) => {
          if (!error.message.includes('BUSYGROUP')) {
            this.#groupReady.delete(key);
            throw error;
          }
        });
      this.#groupReady.set(key, ready);
    }
    return ready;
  }

  async #withDeliveryCounts(index: number, entries: [string, string[]][]): Promise<InboxEntry[]> {
    const key = this.#keys[index]!;
    const counts = new Map<string, number>();
    for (const [id] of entries) {
      const pending = (await this.redis.xpending(key, GROUP, id, id, 1)) as [
        string,
        string,
        number,
        number,
      ][];
      counts.set(id, pending[0]?.[3] ?? 1);
    }
    return entries.flatMap(([id, fields]) => parseEntry(index, id, fields, counts.get(id) ?? 1));
  }
}

/** Which shard an owner's events go to: FNV-1a of the corp (or suite) id. */
function shardOf(owner: string, shards: number): number {
  return hashOf(owner) % shards;
}

function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Entry ids carry their stream (`<stream index>/<stream id>`), so ack finds the stream. */
function parseEntry(index: number, id: string, fields: string[], deliveries: number): InboxEntry[] {
  const raw = fields[fields.indexOf('e') + 1];
  if (raw === undefined) return [];
  return [{ ...(JSON.parse(raw) as InboxEvent), id: `${index}/${id}`, deliveries }];
}
