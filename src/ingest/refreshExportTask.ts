import type { ExportTaskRecord, TaskStore } from '../datasources/store/ports.js';
import type { WecomApi } from '../datasources/wecom/ports.js';

const STATUS = { 1: 'WAITING', 2: 'RUNNING', 3: 'DONE' } as const;

/**
 * Reads an export job's status upstream and stores it. A finished job with a non-zero
 * result_errcode is FAILED with WeCom's message. A job created outside this gateway (no
 * stored record) is recorded from what the upstream says.
 */
export async function refreshExportTask(
  api: WecomApi,
  tasks: TaskStore,
  corpId: string,
  jobId: string,
  now: number,
): Promise<ExportTaskRecord> {
  const status = await api.chatdata(corpId, 'export/get_job_status', { jobid: jobId });
  const existing = await tasks.getExport(corpId, jobId);
  const failed = status.status === 3 && (status.result_errcode ?? 0) !== 0;
  const task: ExportTaskRecord = {
    corpId,
    jobId,
    createdAt: existing?.createdAt ?? now,
    status: failed ? 'FAILED' : (STATUS[status.status as 1 | 2 | 3] ?? 'RUNNING'),
    resultId: failed ? null : (status.result_id ?? null),
    error: failed ? `${status.result_errcode}: ${status.result_errmsg ?? ''}`.trim() : null,
  };
  await tasks.putExport(task);
  return task;
}
