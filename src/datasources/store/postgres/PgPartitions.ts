import type { Logger } from '../../../logging/Logger.js';
import type { PgPool } from './createPgPool.js';

const DAY_S = 86_400;
const NAME = /^messages_d(\d+)$/;

/**
 * The day partitions of `messages` (`messages_d<UTC day since epoch>`, [day, day+1) in unix
 * seconds of send_time). They are made ahead of need, so an insert never waits on DDL: at start
 * for the retention window and a week ahead, then by the watchdog; a page whose send days lack
 * a partition makes them first. Retention drops whole partitions.
 */
export class PgPartitions {
  readonly #known = new Set<number>();
  #loaded: Promise<void> | null = null;

  constructor(
    private readonly pool: PgPool,
    private readonly logger: Logger,
  ) {}

  /** Makes sure a partition exists for each day of the given send times (unix s). */
  async ensureFor(sendTimes: Iterable<number>): Promise<void> {
    const days = new Set<number>();
    for (const t of sendTimes) days.add(Math.floor(t / DAY_S));
    await this.ensureDays(days);
  }

  /** Partitions for [fromS, toS]. */
  async ensureRange(fromS: number, toS: number): Promise<void> {
    const days = new Set<number>();
    for (let d = Math.floor(fromS / DAY_S); d <= Math.floor(toS / DAY_S); d++) days.add(d);
    await this.ensureDays(days);
  }

  async ensureDays(days: Iterable<number>): Promise<void> {
    await this.#load();
    for (const day of days) {
      if (this.#known.has(day)) continue;
      await this.#create(day);
    }
  }

  /**
   * Drops every day partition that ends at or before `cutoffS` and deletes the default
   * partition's rows sent before it; returns the number of messages removed per corp, so the
   * per-corp counts can follow.
   */
  async dropBefore(cutoffS: number): Promise<Map<string, number>> {
    // Read the partitions afresh: another replica's retention pass may have dropped some.
    this.#known.clear();
    this.#loaded = null;
    await this.#load();
    const removed = new Map<string, number>();
    const add = (rows: { corp_id: string; n: number }[]) => {
      for (const r of rows) removed.set(r.corp_id, (removed.get(r.corp_id) ?? 0) + Number(r.n));
    };
    for (const day of [...this.#known].sort((a, b) => a - b)) {
      if ((day + 1) * DAY_S > cutoffS) break;
      const table = `messages_d${day}`;
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        // Replicas run this pass at once: the one that gets the lock drops, the others find it gone.
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('wag:partition:' || $1::text))`, [table]);
        if ((await client.query('SELECT to_regclass($1) AS t', [table])).rows[0]?.t === null) {
          await client.query('COMMIT');
          this.#known.delete(day);
          continue;
        }
        const { rows } = await client.query<{ corp_id: string; n: number }>(
          `SELECT corp_id, count(*)::int AS n FROM ${table} GROUP BY corp_id`,
        );
        await client.query(`ALTER TABLE messages DETACH PARTITION ${table}`);
        await client.query(`DROP TABLE ${table}`);
        await client.query('COMMIT');
        add(rows);
        this.#known.delete(day);
        this.logger.info({ table, corps: rows.length }, 'archive retention dropped a day partition');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    }
    const { rows } = await this.pool.query<{ corp_id: string; n: number }>(
      `WITH gone AS (DELETE FROM messages_default WHERE send_time < $1 RETURNING corp_id)
       SELECT corp_id, count(*)::int AS n FROM gone GROUP BY corp_id`,
      [cutoffS],
    );
    add(rows);
    return removed;
  }

  #load(): Promise<void> {
    this.#loaded ??= (async () => {
      const { rows } = await this.pool.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i
           JOIN pg_class c ON c.oid = i.inhrelid
           JOIN pg_class p ON p.oid = i.inhparent
          WHERE p.relname = 'messages' AND p.relnamespace = to_regnamespace(current_schema())::oid`,
      );
      for (const { name } of rows) {
        const m = NAME.exec(name);
        if (m) this.#known.add(Number(m[1]));
      }
    })().catch((error: unknown) => {
      this.#loaded = null;
      throw error;
    });
    return this.#loaded;
  }

  async #create(day: number): Promise<void> {
    const table = `messages_d${day}`;
    try {
      // The default partition must hold no row of the new day: such rows (a clock far off) are
      // moved into the new partition in the same transaction.
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('wag:partition:' || $1::text))`, [table]);
        const exists = await client.query('SELECT to_regclass($1) AS t', [table]);
        if (exists.rows[0]?.t === null) {
          const from = day * DAY_S;
          const to = (day + 1) * DAY_S;
          await client.query(
            `CREATE TABLE ${table} (LIKE messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
          );
          await client.query(
            `WITH moved AS (DELETE FROM messages_default WHERE send_time >= $1 AND send_time < $2 RETURNING *)
             INSERT INTO ${table} SELECT * FROM moved`,
            [from, to],
          );
          await client.query(
            `ALTER TABLE messages ATTACH PARTITION ${table} FOR VALUES FROM (${from}) TO (${to})`,
          );
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
      this.#known.add(day);
    } catch (error) {
      // Rows land in the default partition meanwhile: nothing is refused or lost.
      this.logger.warn({ table, err: (error as Error).message }, 'could not create an archive partition');
    }
  }
}
