import type { Redis } from 'ioredis';
import type { ArchivedMessage } from '../ports.js';
import { listKeysOf } from './MemoryMessageIndex.js';
import type { IndexedMessage, MessageIndex, MessagePage, MessageQuery } from './MessageIndex.js';
import { packRecord, unpackRecord } from './packRecord.js';
import { matchesQuery, pickDrivingKey } from './queryPlan.js';
import { APPEND_LUA, PAGE_LUA, SEQ_AT_TIME_LUA } from './redisIndexScripts.js';

type IndexCommands = {
  wagIxAppend(base: string, ...args: (string | Buffer | number)[]): Promise<(string | number)[]>;
  wagIxPageBuffer(
    list: string,
    rec: string,
    min: string,
    max: string,
    count: number,
    rev: string,
  ): Promise<(Buffer | null)[]>;
  wagIxSeqAtTime(list: string, rec: string, t: number): Promise<number>;
};

/** Entries read per round trip while a combined filter scans. */
const SCAN_BATCH = 200;
/** A page stops scanning after this many non-matching entries and reports `hasMore`. */
const MAX_SCAN = 20_000;

/**
 * Redis layout per corp (base `<prefix>ix:{<corpId>}:`): `rec` hash msgid → packed record;
 * `n` the seq counter; sorted sets scored by seq: `all`, `c:<chatKey>`, `u:<participant>`,
 * `t:<msgtype>`. Members are msgids; the seq is the stable cursor.
 */
export class RedisMessageIndex implements MessageIndex {
  readonly #redis: Redis & IndexCommands;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    redis.defineCommand('wagIxAppend', { numberOfKeys: 1, lua: APPEND_LUA });
    redis.defineCommand('wagIxPage', { numberOfKeys: 2, lua: PAGE_LUA });
    redis.defineCommand('wagIxSeqAtTime', { numberOfKeys: 2, lua: SEQ_AT_TIME_LUA });
    this.#redis = redis as Redis & IndexCommands;
    this.#prefix = prefix;
  }

  #base(corpId: string): string {
    return `${this.#prefix}ix:{${corpId}}:`;
  }

  async append(corpId: string, messages: readonly ArchivedMessage[]): Promise<IndexedMessage[]> {
    if (messages.length === 0) return [];
    const args: (string | Buffer | number)[] = [];
    for (const m of messages) {
      const lists = listKeysOf(m);
      args.push(m.msgid, packRecord(m), lists.length, ...lists);
    }
    const reply = await this.#redis.wagIxAppend(this.#base(corpId), ...args);
    const seqById = new Map<string, number>();
    for (let i = 0; i < reply.length; i += 2) seqById.set(String(reply[i]), Number(reply[i + 1]));
    const added: IndexedMessage[] = [];
    for (const m of messages) {
      const seq = seqById.get(m.msgid);
      // A msgid repeated inside one batch is new only once.
      if (seq !== undefined && seqById.delete(m.msgid)) added.push({ ...m, corpId, seq });
    }
    return added;
  }

  async get(corpId: string, msgid: string): Promise<IndexedMessage | null> {
    return (await this.getMany(corpId, [msgid]))[0] ?? null;
  }

  async getMany(corpId: string, msgids: readonly string[]): Promise<(IndexedMessage | null)[]> {
    if (msgids.length === 0) return [];
    const base = this.#base(corpId);
    const [records, seqs] = await Promise.all([
      this.#redis.hmgetBuffer(`${base}rec`, ...msgids),
      this.#redis.zmscore(`${base}all`, ...msgids),
    ]);
    return msgids.map((msgid, i) => {
      const record = records[i];
      const seq = seqs[i];
      if (!record || seq === null || seq === undefined) return null;
      return { ...unpackRecord(corpId, msgid, record), seq: Number(seq) };
    });
  }

  async query(query: MessageQuery): Promise<MessagePage> {
    const base = this.#base(query.corpId);
    const list = base + pickDrivingKey(query);
    const desc = query.direction === 'desc';
    let [min, max] = await this.#seqBounds(base, list, query);
    if (query.after !== undefined) {
      if (desc) max = Math.min(max, query.after - 1);
      else min = Math.max(min, query.after + 1);
    }
    const items: IndexedMessage[] = [];
    let endSeq: number | null = null;
    let scanned = 0;
    // When the sorted set alone answers the filter, every entry read is a match: read just one
    // past the page (for hasMore) instead of a whole scan batch.
    const listFilters = [query.chatKey, query.participantId, query.msgtype].filter((f) => f !== undefined);
    const batch = listFilters.length <= 1 ? Math.min(SCAN_BATCH, query.first + 1) : SCAN_BATCH;
    while (min <= max && scanned < MAX_SCAN) {
      const reply = await this.#redis.wagIxPageBuffer(
        list,
        `${base}rec`,
        bound(min),
        bound(max),
        batch,
        desc ? '1' : '0',
      );
      if (reply.length === 0) break;
      for (let i = 0; i < reply.length; i += 3) {
        const seq = Number(reply[i + 1]!.toString());
        const record = reply[i + 2];
        scanned++;
        if (desc) max = seq - 1;
        else min = seq + 1;
        if (!record) continue; // trimmed concurrently
        const message: IndexedMessage = { ...unpackRecord(query.corpId, reply[i]!.toString(), record), seq };
        if (!matchesQuery(message, query)) continue;
        if (items.length === query.first) return { items, hasMore: true, endSeq };
        items.push(message);
        endSeq = seq;
      }
      if (reply.length < batch * 3) break;
    }
    return { items, hasMore: min <= max && scanned >= MAX_SCAN, endSeq };
  }

  async count(query: Omit<MessageQuery, 'after' | 'first' | 'direction'>): Promise<number> {
    const base = this.#base(query.corpId);
    const list = base + pickDrivingKey(query);
    const filters = [query.chatKey, query.participantId, query.msgtype].filter((f) => f !== undefined);
    const [min, max] = await this.#seqBounds(base, list, query);
    if (min > max) return 0;
    // One list filter (plus a time window): the sorted set counts it in O(log n).
    if (filters.length <= 1) return this.#redis.zcount(list, bound(min), bound(max));
    let n = 0;
    let cursor: number | undefined;
    for (;;) {
      const page = await this.query({ ...query, after: cursor, first: 1000 });
      n += page.items.length;
      if (!page.hasMore || page.endSeq === null) return n;
      cursor = page.endSeq;
    }
  }

  async lastSeq(corpId: string): Promise<number> {
    return Number((await this.#redis.get(`${this.#base(corpId)}n`)) ?? 0);
  }

  async trim(corpId: string, beforeSendTime: number): Promise<number> {
    const base = this.#base(corpId);
    const firstKept = await this.#redis.wagIxSeqAtTime(`${base}all`, `${base}rec`, beforeSendTime);
    const maxSeq = firstKept === -1 ? '+inf' : `(${firstKept}`;
    let removed = 0;
    for (;;) {
      const ids = await this.#redis.zrangebyscore(`${base}all`, '-inf', maxSeq, 'LIMIT', 0, 500);
      if (ids.length === 0) return removed;
      const records = await this.#redis.hmgetBuffer(`${base}rec`, ...ids);
      const tx = this.#redis.multi();
      ids.forEach((id, i) => {
        const record = records[i];
        const lists = record ? listKeysOf(unpackRecord(corpId, id, record)) : ['all'];
        for (const key of lists) tx.zrem(base + key, id);
        tx.hdel(`${base}rec`, id);
      });
      await tx.exec();
      removed += ids.length;
    }
  }

  async purgeCorp(corpId: string): Promise<void> {
    const pattern = `${this.#base(corpId).replace(/[*?[\]]/g, '\\$&')}*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.#redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await this.#redis.unlink(...keys);
    } while (cursor !== '0');
  }

  /** Seq range [min, max] that the query's time window allows. */
  async #seqBounds(
    base: string,
    list: string,
    query: Pick<MessageQuery, 'from' | 'to'>,
  ): Promise<[number, number]> {
    let min = 1;
    let max = Number.POSITIVE_INFINITY;
    if (query.from !== undefined) {
      const seq = await this.#redis.wagIxSeqAtTime(list, `${base}rec`, query.from);
      if (seq === -1) return [1, 0];
      min = seq;
    }
    if (query.to !== undefined) {
      const seq = await this.#redis.wagIxSeqAtTime(list, `${base}rec`, query.to);
      if (seq !== -1) max = seq - 1;
    }
    return [min, max];
  }
}

function bound(n: number): string {
  return n === Number.POSITIVE_INFINITY ? '+inf' : String(n);
}
