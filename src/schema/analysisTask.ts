import { badUserInput } from '../errors/codes.js';
import {
  analysisResults,
  analysisStatus,
  analysisSummary,
  loadAnalysisTask,
  startAnalysis,
  summarySecretKey,
} from '../resolvers/analysisResolvers.js';
import {
  type CustomResultShape,
  customProgress,
  customResult,
  SPECAPI_GONE,
} from '../resolvers/customAnalysisResolvers.js';
import { decodeTypedId } from '../resolvers/globalId.js';
import { corpScopedId, splitCorpScopedId } from '../resolvers/ids.js';
import { builder } from './builder.js';
import { AnalysisSummaryRef, AnalysisTaskRef, CorpRef } from './refs.js';

export const AnalysisType = builder.enumType('AnalysisType', {
  values: {
    SENTIMENT: { description: 'analyze_task 1: per message.' },
    SPAM: { description: 'analyze_task 2: per message.' },
    SUMMARY: { description: 'analyze_task 3: one text result for the batch.' },
    CUSTOM: {
      description:
        "specapi/create_job: the provider's own program in the data zone (数据分析专区) gets the messages " +
        'with their keys and customData; its output is customResult. Only with WECOM_SPECAPI=on ' +
        '(else CUSTOM_ANALYSIS_DISABLED); an upstream refusal is SPECAPI_OFFLINE.',
      deprecationReason: `${SPECAPI_GONE}.`,
    },
  } as const,
});

export const AnalysisStatus = builder.enumType('AnalysisStatus', {
  values: ['RUNNING', 'DONE', 'FAILED', 'UNKNOWN'] as const,
});
const Sentiment = builder.enumType('Sentiment', { values: ['NONE', 'POSITIVE', 'NEGATIVE'] as const });
const SpamLabel = builder.enumType('SpamLabel', { values: ['CLEAN', 'POLITICAL', 'PORN'] as const });

type ResultShape = Awaited<ReturnType<typeof analysisResults>>[number];
const AnalysisResultRef = builder.objectRef<ResultShape>('AnalysisResult').implement({
  description: "One message's result; errcode ≠ 0 means upstream could not analyse it.",
  fields: (t) => ({
    messageId: t.exposeString('messageId'),
    sentiment: t.field({ type: Sentiment, nullable: true, resolve: (r) => r.sentiment }),
    spam: t.field({ type: SpamLabel, nullable: true, resolve: (r) => r.spam }),
    errcode: t.exposeInt('errcode'),
    errmsg: t.exposeString('errmsg', { nullable: true }),
  }),
});

const CustomAnalysisResultRef = builder.objectRef<CustomResultShape>('CustomAnalysisResult').implement({
  description:
    "What the data-zone program returned (specapi/get_job_result result); its format is the program's own.",
  fields: (t) => ({
    jobType: t.exposeString('jobType'),
    data: t.exposeString('data', { nullable: true, description: 'Usually JSON text.' }),
  }),
});

builder.node(AnalysisTaskRef, {
  description: 'An analysis job started through this gateway (upstream has no job list).',
  id: { resolve: (task) => corpScopedId(task.corpId, task.jobId) },
  loadOne: (rawId, ctx) => loadAnalysisTask(rawId, ctx),
  fields: (t) => ({
    jobId: t.exposeString('jobId'),
    type: t.field({ type: AnalysisType, resolve: (task) => task.type }),
    createdAt: t.field({ type: 'DateTime', resolve: (task) => new Date(task.createdAt) }),
    status: t.field({
      type: AnalysisStatus,
      resolve: (task, _args, ctx) => analysisStatus(task, ctx) as Promise<'RUNNING'>,
    }),
    results: t.field({
      type: [AnalysisResultRef],
      resolve: (task, _args, ctx) => analysisResults(task, ctx),
    }),
    summary: t.field({
      type: AnalysisSummaryRef,
      nullable: true,
      resolve: (task, _args, ctx) => analysisSummary(task, ctx),
    }),
    customId: t.string({
      nullable: true,
      description: 'CUSTOM only: the custom_id given (unique per provider).',
      resolve: (task) => task.customId ?? null,
    }),
    customData: t.string({
      nullable: true,
      description: 'CUSTOM only: the custom_data given to the zone program.',
      resolve: (task) => (task.type === 'CUSTOM' ? (task.customData ?? '') : null),
    }),
    progress: t.int({
      nullable: true,
      description: 'CUSTOM only: percent done, as the zone reports it.',
      resolve: async (task, _args, ctx) => (await customProgress(task, ctx))?.progress ?? null,
    }),
    dispatchedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'CUSTOM only: when the zone program took the job (null while it waits).',
      resolve: async (task, _args, ctx) => (await customProgress(task, ctx))?.dispatchedAt ?? null,
    }),
    customResult: t.field({
      type: CustomAnalysisResultRef,
      nullable: true,
      description: 'CUSTOM only: the zone program output, once DONE.',
      deprecationReason: `CUSTOM is deprecated: ${SPECAPI_GONE}.`,
      resolve: (task, _args, ctx) => customResult(task, ctx),
    }),
  }),
});

builder.objectType(AnalysisSummaryRef, {
  description: 'Render with <ww-open-result-text result-id secret-key>; the text never reaches the provider.',
  fields: (t) => ({
    resultId: t.exposeString('resultId'),
    secretKey: t.string({
      description: 'Needs scope content:display.',
      resolve: (s, _args, ctx) => summarySecretKey(s, ctx),
    }),
  }),
});

builder.objectFields(CorpRef, (t) => ({
  analysisTask: t.field({
    type: AnalysisTaskRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (corp, args, ctx) => {
      const parts = splitCorpScopedId(decodeTypedId(String(args.id), 'AnalysisTask'));
      if (parts?.corpId !== corp.corpId) {
        throw badUserInput(`id must be an AnalysisTask of corp "${corp.corpId}"`, 'id', args.id);
      }
      return loadAnalysisTask(corpScopedId(parts.corpId, parts.localId), ctx);
    },
  }),
}));

builder.mutationFields((t) => ({
  startAnalysis: t.field({
    type: AnalysisTaskRef,
    description:
      'analyze_task_add (chunks of ≤1000) + analyze_task_submit (scope analysis:write); a lost answer is ' +
      'reconciled (a new job, or the submit asked again), never repeated blindly. 1..1000 messages, ' +
      'each a Message id or msgid that the message index holds (its secret key is needed). Type CUSTOM runs ' +
      'specapi/create_job instead and needs customId (1..128 bytes, unique per provider: a reused one is ' +
      'BAD_USER_INPUT) and takes customData (≤1024 bytes); at most 10 unfinished CUSTOM jobs per provider.',
    args: {
      corpId: t.arg.string({ required: true }),
      type: t.arg({ type: AnalysisType, required: true }),
      messageIds: t.arg.idList({ required: true }),
      customId: t.arg.string({
        description: 'CUSTOM only (required there).',
        deprecationReason: `CUSTOM is deprecated: ${SPECAPI_GONE}.`,
      }),
      customData: t.arg.string({
        description: 'CUSTOM only.',
        deprecationReason: `CUSTOM is deprecated: ${SPECAPI_GONE}.`,
      }),
    },
    resolve: (_root, args, ctx) =>
      startAnalysis(
        {
          corpId: args.corpId,
          type: args.type,
          messageIds: args.messageIds.map(String),
          customId: args.customId,
          customData: args.customData,
        },
        ctx,
      ),
  }),
}));
