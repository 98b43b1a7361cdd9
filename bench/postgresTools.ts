import pg from 'pg';

/** The bench's own schema: the gateways' store of record, counted and measured, dropped at the end. */
export class BenchPostgres {
  readonly client: pg.Pool;
  readonly url: string;

  constructor(
    baseUrl: string,
    readonly schema: string,
  ) {
    this.client = new pg.Pool({ connectionString: baseUrl, max: 4 });
    const u = new URL(baseUrl);
    u.searchParams.set('options', `-c search_path=${schema}`);
    this.url = u.toString();
  }

  async connect(): Promise<void> {
    await this.client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
  }

  /** Messages archived for a corp (its seq counter; 0 before its first page). */
  async indexed(corpId: string): Promise<number> {
    const { rows } = await this.client.query<{ n: string }>(
      `SELECT last_seq AS n FROM ${this.schema}.sync_state WHERE corp_id = $1 AND stream = 'sync'`,
      [corpId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** The seq the corp's statistics have folded up to (0 before the first fold). */
  async statsFolded(corpId: string): Promise<number> {
    const { rows } = await this.client.query<{ n: string }>(
      `SELECT seq AS n FROM ${this.schema}.stats_watermarks WHERE corp_id = $1`,
      [corpId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Bytes on disk of the archive: every partition of `messages`, table and indexes (TOAST included). */
  async archiveBytes(): Promise<number> {
    const { rows } = await this.client.query<{ bytes: string }>(
      `SELECT coalesce(sum(pg_total_relation_size(relid)), 0) AS bytes
         FROM pg_partition_tree('${this.schema}.messages') WHERE isleaf`,
    );
    return Number(rows[0]?.bytes ?? 0);
  }

  async version(): Promise<string> {
    const { rows } = await this.client.query<{ v: string }>('SHOW server_version');
    return rows[0]?.v ?? 'unknown';
  }

  async drop(): Promise<void> {
    await this.client.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
