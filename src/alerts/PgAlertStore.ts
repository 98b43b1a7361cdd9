import { inTransaction, type PgPool } from '../datasources/store/postgres/createPgPool.js';
import type { AlertPage, AlertStatusFilter, AlertStore, ReplyAlert, ReplyTimeoutRule } from './AlertStore.js';

type AlertRow = {
  seq: number;
  status: ReplyAlert['status'];
  record: Omit<ReplyAlert, 'seq' | 'status' | 'resolvedAt' | 'resolvedBy'>;
  resolved_at: number | null;
  resolved_by: ReplyAlert['resolvedBy'];
};

const ALERT_COLUMNS = 'seq, status, record, resolved_at, resolved_by';

// A cancelled corp goes in one statement (data-modifying CTEs run as one, all or nothing).
const PURGE = `
  WITH r AS (DELETE FROM alert_rules WHERE corp_id = $1),
       s AS (DELETE FROM alert_seqs WHERE corp_id = $1)
  DELETE FROM reply_alerts WHERE corp_id = $1`;

/**
 * Rules and alerts in PostgreSQL (migrations/002_statistics_and_alerts.sql). Opening locks the
 * corp's seq row first, so across replicas an alert id opens once and seqs have no gaps; a
 * chat's open alerts are resolved by one UPDATE, so each is resolved (and announced) once.
 */
export class PgAlertStore implements AlertStore {
  constructor(private readonly pool: PgPool) {}

  async listRules(corpId: string): Promise<ReplyTimeoutRule[]> {
    const { rows } = await this.pool.query<{ record: ReplyTimeoutRule }>(
      'SELECT record FROM alert_rules WHERE corp_id = $1 ORDER BY created_at, rule_id COLLATE "C"',
      [corpId],
    );
    return rows.map((r) => r.record);
  }

  async getRule(corpId: string, ruleId: string): Promise<ReplyTimeoutRule | null> {
    const { rows } = await this.pool.query<{ record: ReplyTimeoutRule }>(
      'SELECT record FROM alert_rules WHERE corp_id = $1 AND rule_id = $2',
      [corpId, ruleId],
    );
    return rows[0]?.record ?? null;
  }

  async putRule(rule: ReplyTimeoutRule): Promise<void> {
    await this.pool.query(
      `INSERT INTO alert_rules (corp_id, rule_id, record, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (corp_id, rule_id) DO UPDATE SET record = EXCLUDED.record, created_at = EXCLUDED.created_at`,
      [rule.corpId, rule.id, JSON.stringify(rule), rule.createdAt],
    );
  }

  async deleteRule(corpId: string, ruleId: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM alert_rules WHERE corp_id = $1 AND rule_id = $2', [
      corpId,
      ruleId,
    ]);
    return result.rowCount === 1;
  }

  open(alert: Omit<ReplyAlert, 'seq'>): Promise<ReplyAlert | null> {
    return inTransaction(this.pool, async (client) => {
      await client.query(
        'INSERT INTO alert_seqs (corp_id, last_seq) VALUES ($1, 0) ON CONFLICT (corp_id) DO NOTHING',
        [alert.corpId],
      );
      await client.query('SELECT last_seq FROM alert_seqs WHERE corp_id = $1 FOR UPDATE', [alert.corpId]);
      // Under the seq lock, an alert committed by another replica is visible here.
      const exists = await client.query('SELECT 1 FROM reply_alerts WHERE corp_id = $1 AND alert_id = $2', [
        alert.corpId,
        alert.id,
      ]);
      if (exists.rowCount !== 0) return null;
      const { rows } = await client.query<{ last_seq: number }>(
        'UPDATE alert_seqs SET last_seq = last_seq + 1 WHERE corp_id = $1 RETURNING last_seq',
        [alert.corpId],
      );
      const seq = rows[0]!.last_seq;
      const { status, resolvedAt, resolvedBy, ...record } = alert;
      await client.query(
        `INSERT INTO reply_alerts (corp_id, alert_id, seq, chat_key, status, record, resolved_at, resolved_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          alert.corpId,
          alert.id,
          seq,
          alert.chatKey,
          status,
          JSON.stringify(record),
          resolvedAt,
          resolvedBy ? JSON.stringify(resolvedBy) : null,
        ],
      );
      return { ...alert, seq };
    });
  }

  async resolveChat(
    corpId: string,
    chatKey: string,
    resolvedAt: number,
    by: ReplyAlert['resolvedBy'],
  ): Promise<ReplyAlert[]> {
    const { rows } = await this.pool.query<AlertRow>(
      `UPDATE reply_alerts SET status = 'RESOLVED', resolved_at = $3, resolved_by = $4
        WHERE corp_id = $1 AND chat_key = $2 AND status = 'OPEN'
        RETURNING ${ALERT_COLUMNS}`,
      [corpId, chatKey, resolvedAt, by ? JSON.stringify(by) : null],
    );
    return rows.map(toAlert).sort((a, b) => a.seq - b.seq);
  }

  async list(
    corpId: string,
    status: AlertStatusFilter,
    first: number,
    beforeSeq?: number,
  ): Promise<AlertPage> {
    const { rows } = await this.pool.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM reply_alerts
        WHERE corp_id = $1 AND ($2::text = 'ALL' OR status = $2) AND ($3::bigint IS NULL OR seq < $3)
        ORDER BY seq DESC LIMIT $4`,
      [corpId, status, beforeSeq ?? null, first + 1],
    );
    return { items: rows.slice(0, first).map(toAlert), hasMore: rows.length > first };
  }

  async openAlerts(corpId: string, limit: number): Promise<ReplyAlert[]> {
    return (await this.list(corpId, 'OPEN', limit)).items;
  }

  async purge(corpId: string): Promise<void> {
    await this.pool.query(PURGE, [corpId]);
  }
}

function toAlert(r: AlertRow): ReplyAlert {
  return { ...r.record, seq: r.seq, status: r.status, resolvedAt: r.resolved_at, resolvedBy: r.resolved_by };
}
