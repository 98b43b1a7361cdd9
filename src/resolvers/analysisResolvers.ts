import { z } from 'zod';
import type { AnalysisTaskRecord } from '../datasources/store/ports.js';
import { runAnalysisJob } from '../datasources/wecom/reconcile/runAnalysisJob.js';
import type { ChatdataResponse } from '../datasources/wecom/upstreamSchemas.js';
import { badUserInput } from '../errors/codes.js';
import type { Context } from './context.js';
import { type CustomArgs, customStatus, startCustomAnalysis } from './customAnalysisResolvers.js';
import { forCorp } from './forCorp.js';
import { splitCorpScopedId } from './ids.js';
import { messagesWithKeys } from './messagesWithKeys.js';
import { listMax } from './validation/rules.js';
import { validate } from './validation/validate.js';

/** analyze_task_add takes ≤1000 messages per job (docs/upstream.md §3.8). */
export const MAX_ANALYSIS_MESSAGES = 1000;

const TASK_CODES = { SENTIMENT: 1, SPAM: 2, SUMMARY: 3 } as const;

const startArgs = z.object({
  messageIds: listMax('messageIds', z.string().min(1), MAX_ANALYSIS_MESSAGES, 1),
});

/**
 * Looks up every message in the index (its encrypted secret key is needed), decrypts the keys,
 * adds them in chunks of ≤1000 and submits. Unknown messages are rejected before any upstream call.
 * CUSTOM goes to the data zone instead (specapi/create_job, customAnalysisResolvers.ts).
 */
export async function startAnalysis(
  args: { corpId: string; type: AnalysisTaskRecord['type']; messageIds: string[] } & CustomArgs,
  ctx: Context,
): Promise<AnalysisTaskRecord> {
  const { corpId, type } = args;
  const loaders = forCorp(ctx, corpId, 'analysis:write');
  if (type === 'CUSTOM') return startCustomAnalysis(args, loaders, ctx);
  for (const field of ['customId', 'customData'] as const) {
    if (args[field] !== undefined && args[field] !== null) {
      throw badUserInput(`${field} is only for type CUSTOM, got type ${type}`, field, args[field]);
    }
  }
  const { messageIds } = validate(startArgs, { messageIds: args.messageIds });
  const { msgids, msgList } = await messagesWithKeys(corpId, messageIds, loaders, ctx);
  // Chunks added, then submitted; a lost answer is reconciled, never repeated blindly.
  const jobid = await runAnalysisJob(ctx.ds.api, corpId, TASK_CODES[type], msgList);
  const record: AnalysisTaskRecord = {
    corpId,
    jobId: jobid,
    type,
    messageIds: msgids,
    createdAt: Date.now(),
  };
  await ctx.ds.tasks.putAnalysis(record);
  return record;
}

/** `node(id:)` and `Corp.analysisTask(id:)`: tasks this gateway started (the upstream has no list). */
export async function loadAnalysisTask(rawId: string, ctx: Context): Promise<AnalysisTaskRecord | null> {
  const parts = splitCorpScopedId(rawId);
  if (!parts) return null;
  ctx.access.requireCorp(parts.corpId);
  return ctx.ds.tasks.getAnalysis(parts.corpId, parts.localId);
}

type TaskResult = ChatdataResponse<'analyze_task_result'>;

export function analysisResult(task: AnalysisTaskRecord, ctx: Context): Promise<TaskResult> {
  return forCorp(ctx, task.corpId).analysisResult.load(task.jobId);
}

const STATUS = ['RUNNING', 'DONE', 'FAILED'] as const;
const SENTIMENT = ['NONE', 'POSITIVE', 'NEGATIVE'] as const;
const SPAM = ['CLEAN', 'POLITICAL', 'PORN'] as const;

export async function analysisStatus(task: AnalysisTaskRecord, ctx: Context): Promise<string> {
  if (task.type === 'CUSTOM') return customStatus(task, ctx);
  const res = await analysisResult(task, ctx);
  return STATUS[res.status] ?? 'UNKNOWN';
}

export async function analysisResults(task: AnalysisTaskRecord, ctx: Context) {
  if (task.type === 'CUSTOM') return [];
  const res = await analysisResult(task, ctx);
  return res.analyze_result_list.map((r) => ({
    messageId: r.msgid,
    sentiment: r.sentiment_result === undefined ? null : (SENTIMENT[r.sentiment_result] ?? null),
    spam: r.spam_result === undefined ? null : (SPAM[r.spam_result] ?? null),
    errcode: r.errcode,
    errmsg: r.errmsg ?? null,
  }));
}

export type AnalysisSummaryShape = {
  corpId: string;
  resultId: string;
  encryptedSecretKey: string;
  publicKeyVersion: number;
};

export async function analysisSummary(
  task: AnalysisTaskRecord,
  ctx: Context,
): Promise<AnalysisSummaryShape | null> {
  if (task.type !== 'SUMMARY') return null;
  const res = await analysisResult(task, ctx);
  const summary = res.analyze_result;
  if (!summary) return null;
  return {
    corpId: task.corpId,
    resultId: summary.result_id,
    encryptedSecretKey: summary.service_encrypt_info.encrypted_secret_key,
    publicKeyVersion: summary.service_encrypt_info.public_key_ver,
  };
}

/** The summary's key renders it in `ww-open-result-text`: content, so content:display. */
export function summarySecretKey(summary: AnalysisSummaryShape, ctx: Context): Promise<string> {
  ctx.access.requireCorp(summary.corpId, 'content:display');
  return ctx.ds.keys.decryptSecretKey(summary.corpId, summary.publicKeyVersion, summary.encryptedSecretKey);
}
