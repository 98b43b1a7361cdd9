import type { AnalysisTaskRecord, ExportTaskRecord, TaskStore } from '../ports.js';
import type { PgPool } from './createPgPool.js';

/** `tasks`: the jobs the gateway started, by corp, kind and job id. */
export class PgTaskStore implements TaskStore {
  constructor(private readonly pool: PgPool) {}

  putAnalysis(task: AnalysisTaskRecord): Promise<void> {
    return this.#put('analysis', task.corpId, task.jobId, task, task.createdAt);
  }

  getAnalysis(corpId: string, jobId: string): Promise<AnalysisTaskRecord | null> {
    return this.#get<AnalysisTaskRecord>('analysis', corpId, jobId);
  }

  putExport(task: ExportTaskRecord): Promise<void> {
    return this.#put('export', task.corpId, task.jobId, task, task.createdAt);
  }

  getExport(corpId: string, jobId: string): Promise<ExportTaskRecord | null> {
    return this.#get<ExportTaskRecord>('export', corpId, jobId);
  }

  /** Retention (TASK_RETENTION_MS, run by the watchdog): records created before `before` go. */
  async dropBefore(before: number): Promise<number> {
    const result = await this.pool.query('DELETE FROM tasks WHERE created_at < $1', [before]);
    return result.rowCount ?? 0;
  }

  async purge(corpId: string): Promise<void> {
    await this.pool.query('DELETE FROM tasks WHERE corp_id = $1', [corpId]);
  }

  async #put(kind: string, corpId: string, jobId: string, record: unknown, createdAt: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO tasks (corp_id, kind, job_id, record, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (corp_id, kind, job_id) DO UPDATE SET record = EXCLUDED.record`,
      [corpId, kind, jobId, JSON.stringify(record), createdAt],
    );
  }

  async #get<T>(kind: string, corpId: string, jobId: string): Promise<T | null> {
    const { rows } = await this.pool.query<{ record: T }>(
      'SELECT record FROM tasks WHERE corp_id = $1 AND kind = $2 AND job_id = $3',
      [corpId, kind, jobId],
    );
    return rows[0]?.record ?? null;
  }
}
