import type { Redis } from 'ioredis';
import { unlinkPrefix } from '../datasources/unlinkPrefix.js';
import { bucketExpiry } from './bucketsFor.js';
import { COMMIT_LUA, RECALL_LUA } from './redisStatsScripts.js';
import type {
  ChatState,
  Counters,
  Dimension,
  PendingTurn,
  StatsCommit,
  StatsDelta,
  StatsStore,
} from './StatsStore.js';

type StatsCommands = {
  wagStCommit(base: string, expected: number, next: number, payload: string): Promise<number>;
  wagStRecall(base: string, msgid: string, ttlS: number, payload: string): Promise<number>;
};

/**
 * Redis layout per corp (base `<prefix>st:{<corpId>}:`): `w` the watermark; `chats` hash
 * chatKey → state JSON; `pend` sorted set of chats with a waiting turn, scored by its start;
 * `b:<dimension>@<bucket>` hashes of counters, expiring `retentionS` after the bucket ends;
 * `rc:<msgid>` recall markers; `aw` recalls waiting for their message.
 */
export class RedisStatsStore implements StatsStore {
  readonly #redis: Redis & StatsCommands;
  readonly #prefix: string;
  readonly #retentionS: number;

  constructor(redis: Redis, prefix: string, retentionS: number) {
    if (!prefix) throw new Error('RedisStatsStore needs a non-empty key prefix (REDIS_PREFIX)');
    redis.defineCommand('wagStCommit', { numberOfKeys: 1, lua: COMMIT_LUA });
    redis.defineCommand('wagStRecall', { numberOfKeys: 1, lua: RECALL_LUA });
    this.#redis = redis as Redis & StatsCommands;
    this.#prefix = prefix;
    this.#retentionS = retentionS;
  }

  #base(corpId: string): string {
    return `${this.#prefix}st:{${corpId}}:`;
  }

  #buckets(delta: StatsDelta): [string, number, (string | number)[]][] {
    return [...delta].map(([key, counters]) => [
      key,
      bucketExpiry(key.slice(key.lastIndexOf('@') + 1), this.#retentionS),
      Object.entries(counters).flat(),
    ]);
  }

  async watermark(corpId: string): Promise<number> {
    return Number((await this.#redis.get(`${this.#base(corpId)}w`)) ?? 0);
  }

  async chatStates(corpId: string, chatKeys: readonly string[]): Promise<(ChatState | null)[]> {
    if (chatKeys.length === 0) return [];
    const raw = await this.#redis.hmget(`${this.#base(corpId)}chats`, ...chatKeys);
    return raw.map((r) => (r ? (JSON.parse(r) as ChatState) : null));
  }

  async commit(corpId: string, commit: StatsCommit): Promise<boolean> {
    const payload = JSON.stringify({
      b: this.#buckets(commit.delta),
      c: [...commit.chats].map(([key, state]) => [key, JSON.stringify(state), state.pending?.at ?? -1]),
    });
    const applied = await this.#redis.wagStCommit(this.#base(corpId), commit.expected, commit.next, payload);
    return applied === 1;
  }

  async read(corpId: string, dimension: Dimension, buckets: readonly string[]): Promise<Counters> {
    const base = this.#base(corpId);
    const pipeline = this.#redis.pipeline();
    for (const b of buckets) pipeline.hgetall(`${base}b:${dimension}@${b}`);
    const results = (await pipeline.exec()) ?? [];
    const sum: Counters = {};
    for (const [error, hash] of results) {
      if (error) throw error;
      for (const [k, v] of Object.entries(hash as Record<string, string>)) sum[k] = (sum[k] ?? 0) + Number(v);
    }
    return sum;
  }

  async pendingTurns(corpId: string, since: number, before: number, limit: number) {
    const base = this.#base(corpId);
    const keys = await this.#redis.zrangebyscore(`${base}pend`, since, before, 'LIMIT', 0, limit);
    const states = await this.chatStates(corpId, keys);
    const out: { chatKey: string; turn: PendingTurn }[] = [];
    keys.forEach((chatKey, i) => {
      const turn = states[i]?.pending;
      if (turn) out.push({ chatKey, turn });
    });
    return out;
  }

  async addRecallOnce(corpId: string, msgid: string, delta: StatsDelta): Promise<boolean> {
    const payload = JSON.stringify({ b: this.#buckets(delta) });
    return (await this.#redis.wagStRecall(this.#base(corpId), msgid, this.#retentionS, payload)) === 1;
  }

  async awaitRecall(corpId: string, msgid: string): Promise<void> {
    await this.#redis.sadd(`${this.#base(corpId)}aw`, msgid);
  }

  async awaitedRecalls(corpId: string): Promise<string[]> {
    return this.#redis.smembers(`${this.#base(corpId)}aw`);
  }

  async dropAwaitedRecall(corpId: string, msgid: string): Promise<void> {
    await this.#redis.srem(`${this.#base(corpId)}aw`, msgid);
  }

  async purge(corpId: string): Promise<void> {
    await unlinkPrefix(this.#redis, this.#base(corpId));
  }
}
