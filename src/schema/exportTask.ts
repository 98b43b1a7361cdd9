import { badUserInput } from '../errors/codes.js';
import { createExport, currentExport, loadExportTask } from '../resolvers/exportResolvers.js';
import { decodeTypedId } from '../resolvers/globalId.js';
import { corpScopedId, splitCorpScopedId } from '../resolvers/ids.js';
import { builder } from './builder.js';
import { CorpRef, ExportTaskRef } from './refs.js';

export const ExportStatus = builder.enumType('ExportStatus', {
  values: ['WAITING', 'RUNNING', 'DONE', 'FAILED'] as const,
});

builder.node(ExportTaskRef, {
  description: 'An export job (export/*). Status is polled once per request until it is DONE or FAILED.',
  id: { resolve: (task) => corpScopedId(task.corpId, task.jobId) },
  loadOne: (rawId, ctx) => loadExportTask(rawId, ctx),
  fields: (t) => ({
    jobId: t.exposeString('jobId'),
    createdAt: t.field({ type: 'DateTime', resolve: (task) => new Date(task.createdAt) }),
    status: t.field({
      type: ExportStatus,
      resolve: async (task, _args, ctx) => (await currentExport(task, ctx)).status,
    }),
    resultId: t.string({
      nullable: true,
      description: 'Render with <ww-open-result-link>; valid 14 days.',
      resolve: async (task, _args, ctx) => (await currentExport(task, ctx)).resultId,
    }),
    error: t.string({
      nullable: true,
      resolve: async (task, _args, ctx) => (await currentExport(task, ctx)).error,
    }),
  }),
});

builder.objectFields(CorpRef, (t) => ({
  exportTask: t.field({
    type: ExportTaskRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (corp, args, ctx) => {
      const parts = splitCorpScopedId(decodeTypedId(String(args.id), 'ExportTask'));
      if (parts?.corpId !== corp.corpId) {
        throw badUserInput(`id must be an ExportTask of corp "${corp.corpId}"`, 'id', args.id);
      }
      return loadExportTask(corpScopedId(parts.corpId, parts.localId), ctx);
    },
  }),
}));

builder.mutationFields((t) => ({
  createExport: t.field({
    type: ExportTaskRef,
    description:
      'Uploads the template (doc/docx/xls/xlsx/txt, ≤20 MB) and starts export/create_job with the single-use ' +
      'exportCode from <ww-open-button open-type="getExportCode"> (scope export:write). If the answer is ' +
      'lost and the code turns out used, UPSTREAM_OUTCOME_UNKNOWN: the job runs anyway and arrives on ' +
      'exportTaskUpdated when WeCom reports it finished; ask for a new code only if it never does.',
    args: {
      corpId: t.arg.string({ required: true }),
      code: t.arg.string({ required: true }),
      template: t.arg({ type: 'File', required: true }),
    },
    resolve: (_root, args, ctx) => createExport(args, ctx),
  }),
}));
