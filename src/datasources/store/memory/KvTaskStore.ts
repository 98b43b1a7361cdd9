import {
  type AnalysisTaskRecord,
  type ExportTaskRecord,
  type KeyValueStore,
  TASK_RETENTION_MS as TASK_TTL_MS,
  type TaskStore,
} from '../ports.js';

const analysisKey = (corpId: string, jobId: string): string => `task:${corpId}:analysis:${jobId}`;
const exportKey = (corpId: string, jobId: string): string => `task:${corpId}:export:${jobId}`;

export class KvTaskStore implements TaskStore {
  readonly #kv: KeyValueStore;

  constructor(kv: KeyValueStore) {
    this.#kv = kv;
  }

  async putAnalysis(task: AnalysisTaskRecord): Promise<void> {
    await this.#kv.set(analysisKey(task.corpId, task.jobId), JSON.stringify(task), TASK_TTL_MS);
  }

  async getAnalysis(corpId: string, jobId: string): Promise<AnalysisTaskRecord | null> {
    const raw = await this.#kv.get(analysisKey(corpId, jobId));
    return raw === null ? null : (JSON.parse(raw) as AnalysisTaskRecord);
  }

  async putExport(task: ExportTaskRecord): Promise<void> {
    await this.#kv.set(exportKey(task.corpId, task.jobId), JSON.stringify(task), TASK_TTL_MS);
  }

  async getExport(corpId: string, jobId: string): Promise<ExportTaskRecord | null> {
    const raw = await this.#kv.get(exportKey(corpId, jobId));
    return raw === null ? null : (JSON.parse(raw) as ExportTaskRecord);
  }

  /** Every task record of the corp (cancel_auth). */
  async purge(corpId: string): Promise<void> {
    const keys = await this.#kv.keys(`task:${corpId}:`);
    if (keys.length > 0) await this.#kv.delete(...keys);
  }
}
