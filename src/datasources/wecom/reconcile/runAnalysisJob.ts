import type { WecomApi } from '../ports.js';
import { isOutcomeUnknown } from '../upstreamCallKinds.js';
import type { ChatdataRequest } from '../upstreamSchemas.js';
import { WecomError } from '../WecomError.js';

type Api = Pick<WecomApi, 'chatdata'>;
type Item = ChatdataRequest<'analyze_task_add'>['msg_list'][number];

/** analyze_task_add takes ≤1000 messages per call and per job (docs/upstream.md §3.8). */
export const ANALYSIS_CHUNK = 1000;
/** 710617: the job is already submitted. */
export const ALREADY_SUBMITTED = 710617;

/** Calls `call`; when its answer is lost, calls it once more and lets `settled` read that answer. */
async function onceMore<T>(
  call: () => Promise<T>,
  settled: (error: unknown) => T | null = () => null,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isOutcomeUnknown(error)) throw error;
  }
  try {
    return await call();
  } catch (error) {
    const outcome = settled(error);
    if (outcome === null) throw error;
    return outcome;
  }
}

/**
 * analyze_task_add in chunks, then analyze_task_submit, each reconciled instead of repeated blindly:
 *  - the first add (no jobid) lost its answer: the job it may have made cannot be found (there is
 *    no job list), so a new job is started; the orphan is never submitted and never runs;
 *  - a later add (with the jobid) lost its answer: it is sent again; upstream keeps the first
 *    occurrence of a msgid and lists the repeats in fail_list (710613), so nothing is doubled;
 *  - submit lost its answer: it is sent again, and 710617 (already submitted) means it was done.
 * Returns the jobid.
 */
export async function runAnalysisJob(
  api: Api,
  corpId: string,
  analyzeTask: 1 | 2 | 3,
  msgList: readonly Item[],
): Promise<string> {
  let jobid: string | undefined;
  for (let i = 0; i < msgList.length; i += ANALYSIS_CHUNK) {
    const chunk = msgList.slice(i, i + ANALYSIS_CHUNK);
    const current = jobid;
    const res = await onceMore(() =>
      api.chatdata(corpId, 'analyze_task_add', {
        analyze_task: analyzeTask,
        ...(current ? { jobid: current } : {}),
        msg_list: chunk,
      }),
    );
    jobid = res.jobid;
  }
  if (jobid === undefined) throw new Error('runAnalysisJob needs at least one message');
  const job = jobid;
  await onceMore(
    () => api.chatdata(corpId, 'analyze_task_submit', { jobid: job }),
    (error) => (error instanceof WecomError && error.errcode === ALREADY_SUBMITTED ? {} : null),
  );
  return job;
}
