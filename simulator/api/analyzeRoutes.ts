import { randomBytes } from 'node:crypto';
import type { AnalysisJob, CorpRuntime } from '../domain/CorpRuntime.js';
import { sentimentOf, spamOf, summaryOf } from '../domain/classify.js';
import { type ApiCall, corpOf, type Route } from '../http/Route.js';
import { INVALID_PARAMETER, WecomError } from '../http/WecomError.js';
import { type Body, optArray, optInt, optString, reqString } from './params.js';

const MAX_MESSAGES = 1000;

function jobOf(corp: CorpRuntime, jobId: string): AnalysisJob {
  const job = corp.analysis.get(jobId);
  if (!job) throw new WecomError(40088, `jobid ${jobId} does not exist`);
  return job;
}

function add(call: ApiCall) {
  const corp = corpOf(call);
  const type = optInt(call.body, 'analyze_task');
  if (type !== 1 && type !== 2 && type !== 3)
    throw new WecomError(710625, `analyze_task must be 1, 2 or 3, got ${type ?? 'none'}`);
  const list = optArray(call.body, 'msg_list') ?? [];
  if (list.length === 0) throw new WecomError(INVALID_PARAMETER, 'msg_list must hold at least one message');
  if (list.length > MAX_MESSAGES)
    throw new WecomError(
      710623,
      `too many messages: msg_list must hold <= ${MAX_MESSAGES}, got ${list.length}`,
    );
  const jobId = optString(call.body, 'jobid');
  let job: AnalysisJob;
  if (jobId) {
    job = jobOf(corp, jobId);
    if (job.type !== type)
      throw new WecomError(710616, `analyze_task ${type} does not match job type ${job.type}`);
    if (job.submittedAtMs !== null) throw new WecomError(710617, `job ${jobId} already submitted`);
  } else {
    job = { jobId: `aj${randomBytes(12).toString('hex')}`, type, items: [], submittedAtMs: null };
  }
  const fresh = new Set(job.items.map((i) => i.msgid));
  const fail_list: { msgid: string; errcode: number; errmsg: string }[] = [];
  const accepted: AnalysisJob['items'] = [];
  for (const raw of list) {
    const m = (raw ?? {}) as Body;
    const msgid = typeof m['msgid'] === 'string' ? m['msgid'] : '';
    const secret = ((m['encrypt_info'] ?? {}) as Body)['secret_key'];
    if (!corp.byId.has(msgid)) fail_list.push({ msgid, errcode: 710601, errmsg: 'invalid msgid' });
    else if (fresh.has(msgid)) fail_list.push({ msgid, errcode: 710613, errmsg: 'duplicate msgid' });
    else if (typeof secret !== 'string' || secret === '')
      fail_list.push({ msgid, errcode: 710603, errmsg: 'invalid key info' });
    else {
      fresh.add(msgid);
      accepted.push({ msgid, secretKey: secret });
    }
  }
  if (job.items.length + accepted.length > MAX_MESSAGES) {
    throw new WecomError(
      710623,
      `too many messages: a job holds <= ${MAX_MESSAGES}, would hold ${job.items.length + accepted.length}`,
    );
  }
  job.items.push(...accepted);
  corp.analysis.set(job.jobId, job);
  return { jobid: job.jobId, fail_list };
}

/** Per message: the right secret key (else 710605) and a text message (else 710602). */
function outcome(corp: CorpRuntime, item: AnalysisJob['items'][number]) {
  const msg = corp.byId.get(item.msgid)!;
  if (msg.secretKey !== item.secretKey)
    return { errcode: 710605, errmsg: 'decrypt msg fail: check msgid and secret_key', text: null };
  if (msg.msgtype !== 1)
    return {
      errcode: 710602,
      errmsg: `only text messages can be analyzed, msgtype ${msg.msgtype}`,
      text: null,
    };
  return { errcode: 0, errmsg: 'ok', text: msg.searchText };
}

function result(call: ApiCall) {
  const { state } = call;
  const corp = corpOf(call);
  const job = jobOf(corp, reqString(call.body, 'jobid', 40088));
  if (job.submittedAtMs === null) throw new WecomError(710618, `job ${job.jobId} not submitted yet`);
  const elapsed = state.clock.nowMs() - job.submittedAtMs;
  const progress = state.options.analysisMs <= 0 ? 1 : Math.min(1, elapsed / state.options.analysisMs);
  const outcomes = job.items.map((i) => ({ msgid: i.msgid, ...outcome(corp, i) }));
  const ok = outcomes.filter((o) => o.text !== null);
  const status = progress < 1 ? 0 : ok.length === 0 ? 2 : 1;
  const base = { status, progress: Math.floor(progress * 100) };
  if (job.type === 3) {
    if (status !== 1) return base;
    if (!job.summary) {
      const secretKey = randomBytes(24).toString('base64url');
      const resultId = `ar${randomBytes(12).toString('hex')}`;
      corp.summaries.set(resultId, { secretKey, text: summaryOf(ok.map((o) => o.text!)) });
      job.summary = { resultId, ...corp.keys.encrypt(secretKey) };
    }
    const s = job.summary;
    return {
      ...base,
      analyze_result: {
        result_id: s.resultId,
        service_encrypt_info: { encrypted_secret_key: s.encryptedSecretKey, public_key_ver: s.publicKeyVer },
      },
    };
  }
  const ready = Math.floor(outcomes.length * progress);
  return {
    ...base,
    analyze_result_list: outcomes.map((o, i) => {
      if (i >= ready) return { msgid: o.msgid };
      if (o.text === null) return { msgid: o.msgid, errcode: o.errcode, errmsg: o.errmsg };
      const label =
        job.type === 1 ? { sentiment_result: sentimentOf(o.text) } : { spam_result: spamOf(o.text) };
      return { msgid: o.msgid, errcode: 0, errmsg: 'ok', ...label };
    }),
  };
}

export function analyzeRoutes(): Route[] {
  return [
    { path: '/cgi-bin/chatdata/analyze_task_add', auth: 'corp', needsKey: true, handle: add },
    {
      path: '/cgi-bin/chatdata/analyze_task_submit',
      auth: 'corp',
      handle: (call) => {
        const job = jobOf(corpOf(call), reqString(call.body, 'jobid', 40088));
        const type = optInt(call.body, 'analyze_task');
        if (type !== undefined && type !== job.type)
          throw new WecomError(710616, `analyze_task ${type} does not match job type ${job.type}`);
        if (job.submittedAtMs !== null) throw new WecomError(710617, `job ${job.jobId} already submitted`);
        job.submittedAtMs = call.state.clock.nowMs();
        return {};
      },
    },
    { path: '/cgi-bin/chatdata/analyze_task_result', auth: 'corp', handle: result },
  ];
}
