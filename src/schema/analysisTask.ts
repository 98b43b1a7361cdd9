import { badUserInput } from '../errors/codes.js';
import {
  analysisResults,
  analysisStatus,
  analysisSummary,
  loadAnalysisTask,
  startAnalysis,
  summarySecretKey,
} from '../resolvers/analysisResolvers.js';
import { decodeTypedId } from '../resolvers/globalId.js';
import { corpScopedId, splitCorpScopedId } from '../resolvers/ids.js';
import { builder } from './builder.js';
import { AnalysisSummaryRef, AnalysisTaskRef, CorpRef } from './refs.js';

export const AnalysisType = builder.enumType('AnalysisType', {
  values: {
    SENTIMENT: { description: 'analyze_task 1: per message.' },
    SPAM: { description: 'analyze_task 2: per message.' },
    SUMMARY: { description: 'analyze_task 3: one text result for the batch.' },
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
      'analyze_task_add (chunks of ≤1000) + analyze_task_submit (scope analysis:write). 1..1000 messages, ' +
      'each a Message id or msgid that the message index holds (its secret key is needed).',
    args: {
      corpId: t.arg.string({ required: true }),
      type: t.arg({ type: AnalysisType, required: true }),
      messageIds: t.arg.idList({ required: true }),
    },
    resolve: (_root, args, ctx) =>
      startAnalysis({ corpId: args.corpId, type: args.type, messageIds: args.messageIds.map(String) }, ctx),
  }),
}));
