import { GraphQLError } from 'graphql';
import { z } from 'zod';
import type { AnalysisTaskRecord } from '../datasources/store/ports.js';
import type { ChatdataResponse } from '../datasources/wecom/upstreamSchemas.js';
import { WecomError } from '../datasources/wecom/WecomError.js';
import { badUserInput, ErrorCode } from '../errors/codes.js';
import type { Context } from './context.js';
import type { CorpLoaders } from './createCorpLoaders.js';
import { forCorp } from './forCorp.js';
import { messagesWithKeys } from './messagesWithKeys.js';
import { listMax, show } from './validation/rules.js';
import { validate } from './validation/validate.js';

/** specapi/create_job limits (docs/upstream.md §3.12). */
export const MAX_CUSTOM_MESSAGES = 1000;
export const MAX_CUSTOM_ID_BYTES = 128;
export const MAX_CUSTOM_DATA_BYTES = 1024;
/** 710626: custom_id already used by this provider. */
const CUSTOM_ID_TAKEN = 710626;

export type CustomArgs = { customId?: string | null; customData?: string | null };

/** Why CUSTOM is deprecated, in the schema and in its errors. */
export const SPECAPI_GONE =
  'specapi (数据分析专区 over HTTP) is offline upstream since 2024-06-06; data-zone programs now run ' +
  'inside WeCom (数据与智能专区), out of reach of a gateway';

/**
 * What WeCom answers an API it took away is not documented: "api unauthorized/forbidden" (48001,
 * 48002) or an HTTP 404 [I]. On specapi any of them means "offline", said with its own code.
 */
function offlineError(error: unknown): GraphQLError | null {
  if (!(error instanceof WecomError) || !error.path.startsWith('/cgi-bin/chatdata/specapi/')) return null;
  const gone = error.errcode === 48001 || error.errcode === 48002 || error.httpStatus === 404;
  if (!gone) return null;
  return new GraphQLError(
    `${SPECAPI_GONE}: ${error.path} answered ${error.errcode ?? `HTTP ${error.httpStatus}`}`,
    {
      extensions: {
        code: ErrorCode.SPECAPI_OFFLINE,
        path: error.path,
        errcode: error.errcode,
        retryable: false,
      },
    },
  );
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

const customArgs = z.object({
  messageIds: listMax('messageIds', z.string().min(1), MAX_CUSTOM_MESSAGES, 1),
  customId: z
    .string({ error: () => 'customId is required for type CUSTOM (unique per provider, 1..128 bytes)' })
    .refine((s) => bytes(s) >= 1 && bytes(s) <= MAX_CUSTOM_ID_BYTES, {
      error: (iss) =>
        `customId must be 1..${MAX_CUSTOM_ID_BYTES} bytes (UTF-8), got ${show(iss.input)} (${bytes(String(iss.input))} bytes)`,
    }),
  customData: z
    .string()
    .refine((s) => bytes(s) <= MAX_CUSTOM_DATA_BYTES, {
      error: (iss) =>
        `customData must be at most ${MAX_CUSTOM_DATA_BYTES} bytes (UTF-8), got ${bytes(String(iss.input))} bytes`,
    })
    .nullish(),
});

/**
 * A job for the provider's program in the data zone (数据分析专区): the messages with their
 * decrypted keys, the provider's `customId` (dedupe: reuse is refused upstream) and `customData`.
 */
export async function startCustomAnalysis(
  args: { corpId: string; messageIds: string[] } & CustomArgs,
  loaders: CorpLoaders,
  ctx: Context,
): Promise<AnalysisTaskRecord> {
  const { corpId } = args;
  if (!ctx.features.specapi) {
    throw new GraphQLError(
      `type CUSTOM is switched off (WECOM_SPECAPI=off, the default): ${SPECAPI_GONE}. ` +
        'Set WECOM_SPECAPI=on only against an upstream that still serves it.',
      { extensions: { code: ErrorCode.CUSTOM_ANALYSIS_DISABLED } },
    );
  }
  const input = validate(customArgs, {
    messageIds: args.messageIds,
    customId: args.customId ?? undefined,
    customData: args.customData,
  });
  const { msgids, msgList } = await messagesWithKeys(corpId, input.messageIds, loaders, ctx);
  let jobid: string;
  try {
    const res = await ctx.ds.api.chatdata(corpId, 'specapi/create_job', {
      msg_filter: { msg_list: msgList },
      custom_id: input.customId,
      ...(input.customData ? { custom_data: input.customData } : {}),
    });
    jobid = res.jobid;
  } catch (error) {
    const offline = offlineError(error);
    if (offline) throw offline;
    if (error instanceof WecomError && error.errcode === CUSTOM_ID_TAKEN) {
      throw badUserInput(
        `customId must be unique per provider (upstream ${CUSTOM_ID_TAKEN}), got ${show(input.customId)} which was used before`,
        'customId',
        input.customId,
      );
    }
    throw error;
  }
  const record: AnalysisTaskRecord = {
    corpId,
    jobId: jobid,
    type: 'CUSTOM',
    messageIds: msgids,
    createdAt: Date.now(),
    customId: input.customId,
    customData: input.customData ?? '',
  };
  await ctx.ds.tasks.putAnalysis(record);
  return record;
}

export type SpecJobResult = ChatdataResponse<'specapi/get_job_result'>;

/** specapi/get_job_result, once per request and job. */
export async function customJob(task: AnalysisTaskRecord, ctx: Context): Promise<SpecJobResult> {
  try {
    return await forCorp(ctx, task.corpId).specapiResult.load(task.jobId);
  } catch (error) {
    throw offlineError(error) ?? error;
  }
}

/** 0 initialised and 1 running are both RUNNING (dispatchedAt tells them apart); 2 finished is DONE. */
export async function customStatus(task: AnalysisTaskRecord, ctx: Context): Promise<string> {
  const res = await customJob(task, ctx);
  if (res.status === 0 || res.status === 1) return 'RUNNING';
  return res.status === 2 ? 'DONE' : 'UNKNOWN';
}

export type CustomProgress = { progress: number; dispatchedAt: Date | null };

export async function customProgress(task: AnalysisTaskRecord, ctx: Context): Promise<CustomProgress | null> {
  if (task.type !== 'CUSTOM') return null;
  const res = await customJob(task, ctx);
  return {
    progress: res.progress,
    dispatchedAt: res.dispatch_time > 0 ? new Date(res.dispatch_time * 1000) : null,
  };
}

export type CustomResultShape = { jobType: string; data: string | null };

/** What the zone program returned, once the job finished (status 2). */
export async function customResult(
  task: AnalysisTaskRecord,
  ctx: Context,
): Promise<CustomResultShape | null> {
  if (task.type !== 'CUSTOM') return null;
  const res = await customJob(task, ctx);
  if (res.status !== 2 || !res.result) return null;
  return { jobType: res.result.job_type, data: res.result.data ?? null };
}
