import { z } from 'zod';
import type { ExportTaskRecord } from '../datasources/store/ports.js';
import { createExportJobReconciled } from '../datasources/wecom/reconcile/createExportJobReconciled.js';
import { uploadMediaReconciled } from '../datasources/wecom/reconcile/uploadMediaReconciled.js';
import type { Context } from './context.js';
import { forCorp } from './forCorp.js';
import { splitCorpScopedId } from './ids.js';
import { nonEmptyString, show } from './validation/rules.js';
import { validate } from './validation/validate.js';

/** Temp media of type file: ≤20 MB; export templates are doc/docx/xls/xlsx/txt (docs/upstream.md §3.9, §3.13). */
export const MAX_TEMPLATE_BYTES = 20 * 1024 * 1024;
const TEMPLATE_EXT = /\.(docx?|xlsx?|txt)$/i;

const fileLike = z.custom<File>(
  (v) => typeof v === 'object' && v !== null && typeof (v as File).arrayBuffer === 'function',
  {
    error: (iss) => `template must be an uploaded file, got ${show(iss.input)}`,
  },
);

const createArgs = z.object({
  code: nonEmptyString('code').refine((c) => c.length <= 512, {
    error: (iss) => `code must be at most 512 characters, got ${show(iss.input)}`,
  }),
  template: fileLike
    .refine((f) => TEMPLATE_EXT.test(f.name), {
      error: (iss) =>
        `template must be a .doc, .docx, .xls, .xlsx or .txt file, got ${show((iss.input as File).name)}`,
    })
    .refine((f) => f.size > 0 && f.size <= MAX_TEMPLATE_BYTES, {
      error: (iss) => `template must be 1..${MAX_TEMPLATE_BYTES} bytes, got ${(iss.input as File).size}`,
    }),
});

/** Uploads the template as temp media, then export/create_job with the single-use export code. */
export async function createExport(
  args: { corpId: string; code: string; template: unknown },
  ctx: Context,
): Promise<ExportTaskRecord> {
  forCorp(ctx, args.corpId, 'export:write');
  const { code, template } = validate(createArgs, { code: args.code, template: args.template });
  // A lost upload answer is settled by uploading once more (see uploadMediaReconciled).
  const media = await uploadMediaReconciled(
    ctx.ds.api,
    args.corpId,
    template.name,
    new Uint8Array(await template.arrayBuffer()),
  );
  // Single-use code: a lost answer is settled by asking once more (see createExportJobReconciled).
  const jobId = await createExportJobReconciled(ctx.ds.api, args.corpId, code, media.mediaId);
  const record: ExportTaskRecord = {
    corpId: args.corpId,
    jobId,
    createdAt: Date.now(),
    status: 'WAITING',
    resultId: null,
    error: null,
  };
  await ctx.ds.tasks.putExport(record);
  return record;
}

export async function loadExportTask(rawId: string, ctx: Context): Promise<ExportTaskRecord | null> {
  const parts = splitCorpScopedId(rawId);
  if (!parts) return null;
  ctx.access.requireCorp(parts.corpId);
  return ctx.ds.tasks.getExport(parts.corpId, parts.localId);
}

const TERMINAL = new Set(['DONE', 'FAILED']);

/**
 * The task as of now: a terminal state already recorded (callback or earlier poll) is final;
 * otherwise export/get_job_status is asked once per request, and a new terminal state is stored.
 */
export async function currentExport(task: ExportTaskRecord, ctx: Context): Promise<ExportTaskRecord> {
  const loaders = forCorp(ctx, task.corpId);
  if (TERMINAL.has(task.status)) return task;
  const res = await loaders.exportStatus.load(task.jobId);
  const failed = res.status === 3 && (res.result_errcode ?? 0) !== 0;
  const status: ExportTaskRecord['status'] =
    res.status === 1 ? 'WAITING' : res.status === 2 ? 'RUNNING' : failed ? 'FAILED' : 'DONE';
  const next: ExportTaskRecord = {
    ...task,
    status,
    resultId: status === 'DONE' ? (res.result_id ?? null) : null,
    error: failed ? `${res.result_errcode}: ${res.result_errmsg ?? 'export failed'}` : null,
  };
  if (TERMINAL.has(status)) await ctx.ds.tasks.putExport(next);
  return next;
}
