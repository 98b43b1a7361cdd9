import type { Redis } from 'ioredis';
import type { ArchivedMessage } from '../ports.js';
import { unlinkPrefix } from '../unlinkPrefix.js';
import { listKeysOf } from './MemoryMessageIndex.js';
import type { IndexedMessage, MessageIndex, MessagePage, MessageQuery } from './MessageIndex.js';
import { msgidCodec } from './msgidCodec.js';
import { packRecord, unpackRecord } from './packRecord.js';
import { matchesQuery, pickDrivingKey } from './queryPlan.js';
import {
  APPEND_LUA,
  COUNT_LUA,
  GET_LUA,
  PAGE_LUA,
  RANGE_LUA,
  TRIM_DROP_LUA,
  TRIM_FLOOR_LUA,
} from './redisIndexScripts.js';

type Reply = (Buffer | number)[];
type IndexCommands = {
  wagIx2Append(base: string, ...args: (string | Buffer | number)[]): Promise<number[]>;
  wagIx2PageBuffer(
    base: string,
    list: string,
    min: string,
    max: string,
    from: string,
    to: string,
    count: number,
    rev: string,
  ): Promise<Reply>;
  wagIx2GetBuffer(base: string, ...msgids: Buffer[]): Promise<Reply>;
  wagIx2RangeBuffer(base: string, from: number, to: number): Promise<Reply>;
  wagIx2Count(base: string, list: string, from: string, to: string): Promise<number>;
  wagIx2TrimFloor(base: string, beforeSendTime: string): Promise<number[]>;
  wagIx2TrimDrop(base: string, ...args: (string | Buffer | number)[]): Promise<number>;
};

/** Entries read per round trip while a combined filter scans. */
const SCAN_BATCH = 200;
/** A page stops scanning after this many non-matching entries and reports `hasMore`. */
const MAX_SCAN = 20_000;
/** Trimmed messages freed per round trip. */
const TRIM_BATCH = 500;
/** Send times are stored as u48 + 2^47 (bucket base) and zigzag deltas. */
const MAX_ABS_TIME = 2 ** 46;
/** A record must fit a bucket with u16 offsets (a 256-byte key and a ~45-byte msgid are ~280). */
const MAX_PAYLOAD = 60_000;

/**
 * Redis layout per corp, base `<prefix>ix:{<corpId>}:` (one hash tag: one cluster slot).
 *
 * This is layout 2. Its keys all start with `2`, which no key of the first layout (`rec`, `all`,
 * `c:…`, `u:…`, `t:…`) does, so data written in the old layout is never misread: layout 2 ignores
 * it (and `purgeCorp` deletes it). Only the seq counter `n` is shared, with the same meaning:
 * layout 2 starts above it, so no seq is ever handed out twice and cursors clients hold stay valid.
 *
 * - `n` string: the seq counter (the last seq assigned).
 * - `2m` string: ten u48 — `f` floor (seqs below are trimmed; f..n are all live, so the unfiltered
 *   count is n − f + 1), `g` how far trimmed data has been freed, `rb`/`rl` highest/lowest record
 *   bucket and `r1`/`r0` their first seqs, `L`/`P`/`e` msgid-map level, split pointer and entries,
 *   `dn` the last parties ref.
 * - `2r<b>` strings: the records of consecutive seqs, ~57 per bucket. A bucket is a 16,378-byte
 *   string (exactly a 16 KiB allocation), SET once and filled in place with SETRANGE: header
 *   (first seq, base send time, count, lowest record, size), u16 record offsets growing up, records
 *   growing down. It takes records until the next does not fit, so less than one record's worth
 *   is wasted. A record: zigzag varint of send time − base, varint parties ref, then `packRecord`'s
 *   payload (packed msgid, msgtype, key version, raw 256-byte ciphertext): ~280 bytes.
 *   Pages over every message read seqs directly; finding the bucket of a seq interpolates between
 *   `r0` and `r1`, usually one header read.
 * - `2f` hash sha1(parties) → ref and `2d` hash ref → parties: sender, receivers and chat, stored
 *   once per corp (see `PackedRecord.parties`); not trimmed, as messages share them.
 * - `2h<i>` strings: the msgid map, msgid → seq, the one place a msgid is looked up (idempotent
 *   append, `get`). 8-byte entries: the first 32 bits of sha1(packed msgid), seq u32; a fingerprint
 *   hit is confirmed against the msgid in the record. Linear hashing on the fingerprint's low bits
 *   keeps buckets near 1 KB as a corp grows.
 * - `2l<list>` and `2a<c>:<list>` strings: the lists `c:<chatKey>`, `u:<participant>`,
 *   `t:<msgtype>` (every message is in "all" by having a record) as chunks of 256 seqs: header
 *   (chunk number, first, count, used bytes, last, capacity) and varint seq deltas, 1–2 bytes an
 *   entry. Only the head chunk `2l<list>` grows (in place); a full one is archived as `2a<c>:…`.
 *   A seq's position in a list is chunk·256 + offset, so `count` is O(log n).
 *
 * Growing strings are sized to fill their allocation class and grow in place, so appends neither
 * reallocate nor rewrite them (and replicate only the bytes they add).
 *
 * `trim` raises the floor in one script (atomic: no read ever sees a partly trimmed corp), then
 * frees what lies below it in batches, resuming from `g` after an interruption.
 */
export class RedisMessageIndex implements MessageIndex {
  readonly #redis: Redis & IndexCommands;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    redis.defineCommand('wagIx2Append', { numberOfKeys: 1, lua: APPEND_LUA });
    redis.defineCommand('wagIx2Page', { numberOfKeys: 1, lua: PAGE_LUA });
    redis.defineCommand('wagIx2Get', { numberOfKeys: 1, lua: GET_LUA });
    redis.defineCommand('wagIx2Range', { numberOfKeys: 1, lua: RANGE_LUA });
    redis.defineCommand('wagIx2Count', { numberOfKeys: 1, lua: COUNT_LUA });
    redis.defineCommand('wagIx2TrimFloor', { numberOfKeys: 1, lua: TRIM_FLOOR_LUA });
    redis.defineCommand('wagIx2TrimDrop', { numberOfKeys: 1, lua: TRIM_DROP_LUA });
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
      if (!Number.isSafeInteger(m.sendTime) || Math.abs(m.sendTime) > MAX_ABS_TIME) {
        throw new RangeError(`message ${m.msgid}: send time ${m.sendTime} is out of range`);
      }
      const record = packRecord(m);
      if (record.payload.length > MAX_PAYLOAD) {
        throw new RangeError(`message ${m.msgid}: record of ${record.payload.length} bytes is too large`);
      }
      const lists = listKeysOf(m).filter((key) => key !== 'all');
      args.push(record.msgid, m.sendTime, record.parties, record.payload, lists.length, ...lists);
    }
    const reply = await this.#redis.wagIx2Append(this.#base(corpId), ...args);
    const added: IndexedMessage[] = [];
    for (let i = 0; i < reply.length; i += 2) {
      added.push({ ...messages[reply[i]!]!, corpId, seq: reply[i + 1]! });
    }
    return added;
  }

  async get(corpId: string, msgid: string): Promise<IndexedMessage | null> {
    return (await this.getMany(corpId, [msgid]))[0] ?? null;
  }

  async getMany(corpId: string, msgids: readonly string[]): Promise<(IndexedMessage | null)[]> {
    if (msgids.length === 0) return [];
    const reply = await this.#redis.wagIx2GetBuffer(this.#base(corpId), ...msgids.map(msgidCodec.pack));
    const found = Number(reply[0]);
    const parties = partiesOf(reply, 1 + found * 5);
    const out: (IndexedMessage | null)[] = msgids.map(() => null);
    for (let i = 1; i < 1 + found * 5; i += 5) {
      out[Number(reply[i])] = decode(corpId, reply, i + 1, parties);
    }
    return out;
  }

  async query(query: MessageQuery): Promise<MessagePage> {
    const base = this.#base(query.corpId);
    const list = listOf(query);
    const desc = query.direction === 'desc';
    let min = 1;
    let max = Number.POSITIVE_INFINITY;
    if (query.after !== undefined) {
      if (desc) max = Math.min(max, query.after - 1);
      else min = Math.max(min, query.after + 1);
    }
    // The script applies the time window (a binary search) on the first call and returns the seq
    // bounds it allows; later calls of a scan pass those instead.
    let window = [optional(query.from), optional(query.to)] as const;
    const items: IndexedMessage[] = [];
    let endSeq: number | null = null;
    let scanned = 0;
    // When the list alone answers the filter, every entry read is a match: read just one past the
    // page (for hasMore) instead of a whole scan batch.
    const listFilters = [query.chatKey, query.participantId, query.msgtype].filter((f) => f !== undefined);
    const batch = listFilters.length <= 1 ? Math.min(SCAN_BATCH, query.first + 1) : SCAN_BATCH;
    while (min <= max && scanned < MAX_SCAN) {
      const reply = await this.#redis.wagIx2PageBuffer(
        base,
        list,
        String(min),
        max === Number.POSITIVE_INFINITY ? '' : String(max),
        window[0],
        window[1],
        batch,
        desc ? '1' : '0',
      );
      window = ['', ''];
      min = Math.max(min, Number(reply[0]));
      max = Math.min(max, Number(reply[1]));
      const count = Number(reply[2]);
      const parties = partiesOf(reply, 3 + count * 4);
      for (let i = 3; i < 3 + count * 4; i += 4) {
        const message = decode(query.corpId, reply, i, parties);
        scanned++;
        if (desc) max = message.seq - 1;
        else min = message.seq + 1;
        if (!matchesQuery(message, query)) continue;
        if (items.length === query.first) return { items, hasMore: true, endSeq };
        items.push(message);
        endSeq = message.seq;
      }
      if (count < batch) break;
    }
    return { items, hasMore: min <= max && scanned >= MAX_SCAN, endSeq };
  }

  async count(query: Omit<MessageQuery, 'after' | 'first' | 'direction'>): Promise<number> {
    const filters = [query.chatKey, query.participantId, query.msgtype].filter((f) => f !== undefined);
    // One list filter (plus a time window): positions in the list's chunks count it in O(log n).
    if (filters.length <= 1) {
      return this.#redis.wagIx2Count(
        this.#base(query.corpId),
        listOf(query),
        optional(query.from),
        optional(query.to),
      );
    }
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
    const [removed, freedTo, floor] = await this.#redis.wagIx2TrimFloor(base, String(beforeSendTime));
    // Free the trimmed messages' list chunks, msgid-map entries and record buckets. Reads ignore
    // them already; a crash here leaves them for the next trim, which resumes from `freedTo`.
    for (let from = freedTo!; from < floor!; from += TRIM_BATCH) {
      const upTo = Math.min(floor!, from + TRIM_BATCH);
      const reply = await this.#redis.wagIx2RangeBuffer(base, from, upTo - 1);
      const count = Number(reply[0]);
      const parties = partiesOf(reply, 1 + count * 4);
      const lists = new Set<string>();
      const msgids: Buffer[] = [];
      for (let i = 1; i < 1 + count * 4; i += 4) {
        const message = decode(corpId, reply, i, parties);
        for (const key of listKeysOf(message)) if (key !== 'all') lists.add(key);
        const payload = reply[i + 3] as Buffer;
        msgids.push(payload.subarray(0, msgidCodec.unpack(payload, 0)[1]));
      }
      await this.#redis.wagIx2TrimDrop(base, upTo, lists.size, ...lists, ...msgids);
    }
    return removed!;
  }

  async purgeCorp(corpId: string): Promise<void> {
    await unlinkPrefix(this.#redis, this.#base(corpId));
  }
}

/** The list a query walks, as the scripts name it ('' for every message). */
function listOf(query: Pick<MessageQuery, 'chatKey' | 'participantId' | 'msgtype'>): string {
  const key = pickDrivingKey(query);
  return key === 'all' ? '' : key;
}

function optional(n: number | undefined): string {
  return n === undefined ? '' : String(n);
}

/** The (ref, parties) pairs at the end of a script reply. */
function partiesOf(reply: Reply, from: number): Map<number, string> {
  const parties = new Map<number, string>();
  for (let i = from; i + 1 < reply.length; i += 2) {
    parties.set(Number(reply[i]), (reply[i + 1] as Buffer).toString('utf8'));
  }
  return parties;
}

/** The message at `reply[i…i+3]` = seq, send time, parties ref, payload. */
function decode(corpId: string, reply: Reply, i: number, parties: Map<number, string>): IndexedMessage {
  const ref = Number(reply[i + 2]);
  const party = parties.get(ref);
  if (party === undefined || party === '')
    throw new Error(`message index: parties ${ref} of ${corpId} missing`);
  const sendTime = Number(reply[i + 1]);
  return { ...unpackRecord(corpId, sendTime, party, reply[i + 3] as Buffer), seq: Number(reply[i]) };
}
