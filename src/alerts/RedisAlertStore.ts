import type { Redis } from 'ioredis';
import { unlinkPrefix } from '../datasources/unlinkPrefix.js';
import type { AlertPage, AlertStatusFilter, AlertStore, ReplyAlert, ReplyTimeoutRule } from './AlertStore.js';
import { OPEN_ALERT_LUA, RESOLVE_CHAT_LUA } from './redisAlertScripts.js';

type AlertCommands = {
  wagAlOpen(base: string, id: string, chatKey: string, record: string): Promise<number>;
  wagAlResolve(base: string, chatKey: string, resolution: string): Promise<string[]>;
};

type Resolution = Pick<ReplyAlert, 'status' | 'resolvedAt' | 'resolvedBy'>;

const ZSET: Record<AlertStatusFilter, string> = { OPEN: 'open', RESOLVED: 'done', ALL: 'all' };

/**
 * Redis layout per corp (base `<prefix>al:{<corpId>}:`): `rules` hash id → rule JSON; `a` hash
 * id → the alert as opened; `st` hash id → its resolution; `seq` the opening counter; sorted
 * sets by seq `all`, `open`, `done`; `ch:<chatKey>` the chat's open alert ids.
 */
export class RedisAlertStore implements AlertStore {
  readonly #redis: Redis & AlertCommands;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    if (!prefix) throw new Error('RedisAlertStore needs a non-empty key prefix (REDIS_PREFIX)');
    redis.defineCommand('wagAlOpen', { numberOfKeys: 1, lua: OPEN_ALERT_LUA });
    redis.defineCommand('wagAlResolve', { numberOfKeys: 1, lua: RESOLVE_CHAT_LUA });
    this.#redis = redis as Redis & AlertCommands;
    this.#prefix = prefix;
  }

  #base(corpId: string): string {
    return `${this.#prefix}al:{${corpId}}:`;
  }

  async listRules(corpId: string): Promise<ReplyTimeoutRule[]> {
    const all = await this.#redis.hvals(`${this.#base(corpId)}rules`);
    return all
      .map((r) => JSON.parse(r) as ReplyTimeoutRule)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  async getRule(corpId: string, ruleId: string): Promise<ReplyTimeoutRule | null> {
    const raw = await this.#redis.hget(`${this.#base(corpId)}rules`, ruleId);
    return raw ? (JSON.parse(raw) as ReplyTimeoutRule) : null;
  }

  async putRule(rule: ReplyTimeoutRule): Promise<void> {
    await this.#redis.hset(`${this.#base(rule.corpId)}rules`, rule.id, JSON.stringify(rule));
  }

  async deleteRule(corpId: string, ruleId: string): Promise<boolean> {
    return (await this.#redis.hdel(`${this.#base(corpId)}rules`, ruleId)) === 1;
  }

  async open(alert: Omit<ReplyAlert, 'seq'>): Promise<ReplyAlert | null> {
    const seq = await this.#redis.wagAlOpen(
      this.#base(alert.corpId),
      alert.id,
      alert.chatKey,
      JSON.stringify(alert),
    );
    return seq === 0 ? null : { ...alert, seq };
  }

  async resolveChat(
    corpId: string,
    chatKey: string,
    resolvedAt: number,
    by: ReplyAlert['resolvedBy'],
  ): Promise<ReplyAlert[]> {
    const resolution: Resolution = { status: 'RESOLVED', resolvedAt, resolvedBy: by };
    const ids = await this.#redis.wagAlResolve(this.#base(corpId), chatKey, JSON.stringify(resolution));
    if (ids.length === 0) return [];
    const base = this.#base(corpId);
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.zscore(`${base}all`, id);
    const seqs = ((await pipeline.exec()) ?? []).map(([, s]) => Number(s));
    return (await this.#load(corpId, ids, seqs)).sort((a, b) => a.seq - b.seq);
  }

  async list(
    corpId: string,
    status: AlertStatusFilter,
    first: number,
    beforeSeq?: number,
  ): Promise<AlertPage> {
    const max = beforeSeq === undefined ? '+inf' : `(${beforeSeq}`;
    const flat = await this.#redis.zrevrangebyscore(
      `${this.#base(corpId)}${ZSET[status]}`,
      max,
      '-inf',
      'WITHSCORES',
      'LIMIT',
      0,
      first + 1,
    );
    const ids: string[] = [];
    const seqs: number[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      ids.push(flat[i]!);
      seqs.push(Number(flat[i + 1]));
    }
    const items = await this.#load(corpId, ids.slice(0, first), seqs);
    return { items, hasMore: ids.length > first };
  }

  async openAlerts(corpId: string, limit: number): Promise<ReplyAlert[]> {
    return (await this.list(corpId, 'OPEN', limit)).items;
  }

  async #load(corpId: string, ids: string[], seqs: number[]): Promise<ReplyAlert[]> {
    if (ids.length === 0) return [];
    const base = this.#base(corpId);
    const [records, resolutions] = await Promise.all([
      this.#redis.hmget(`${base}a`, ...ids),
      this.#redis.hmget(`${base}st`, ...ids),
    ]);
    const out: ReplyAlert[] = [];
    ids.forEach((_, i) => {
      const raw = records[i];
      if (!raw) return;
      const resolved = resolutions[i] ? (JSON.parse(resolutions[i]!) as Resolution) : null;
      out.push({ ...(JSON.parse(raw) as Omit<ReplyAlert, 'seq'>), ...(resolved ?? {}), seq: seqs[i]! });
    });
    return out;
  }

  async purge(corpId: string): Promise<void> {
    await unlinkPrefix(this.#redis, this.#base(corpId));
  }
}
