import { randomBytes } from 'node:crypto';
import type { SimState } from '../domain/SimState.js';
import type { SpecJob } from '../domain/SpecJob.js';
import { WORD_FREQUENCY_JOB, wordFrequency } from '../domain/wordFrequency.js';
import { type ApiCall, corpOf, type Route } from '../http/Route.js';
import { INVALID_PARAMETER, WecomError } from '../http/WecomError.js';
import { type Body, optArray, optObject, optString, reqString } from './params.js';

const MAX_MESSAGES = 1000;
const MAX_CUSTOM_ID_BYTES = 128;
const MAX_CUSTOM_DATA_BYTES = 1024;
/** Jobs are kept 7 days (docs/upstream.md §3.12). */
const JOB_TTL_MS = 7 * 86_400_000;

const ageOf = (state: SimState, job: SpecJob) => state.clock.nowMs() - job.createdAtMs;
const isFinished = (state: SimState, job: SpecJob) => ageOf(state, job) >= 2 * state.options.specapiPhaseMs;

/** msg_filter.msg_list: every msgid archived for the corp, once, with a key (else the whole call fails). */
function messageList(call: ApiCall): SpecJob['items'] {
  const corp = corpOf(call);
  const filter = optObject(call.body, 'msg_filter');
  if (!filter) throw new WecomError(INVALID_PARAMETER, 'invalid parameter: msg_filter is required');
  const list = optArray(filter, 'msg_list') ?? [];
  if (list.length === 0)
    throw new WecomError(
      INVALID_PARAMETER,
      'invalid parameter: msg_filter.msg_list must hold 1..1000 messages',
    );
  if (list.length > MAX_MESSAGES) {
    throw new WecomError(
      710623,
      `too many messages: msg_list must hold <= ${MAX_MESSAGES}, got ${list.length}`,
    );
  }
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const m = (raw ?? {}) as Body;
    const msgid = typeof m['msgid'] === 'string' ? m['msgid'] : '';
    const secret = ((m['encrypt_info'] ?? {}) as Body)['secret_key'];
    if (!corp.byId.has(msgid))
      throw new WecomError(710601, `invalid msgid at msg_list[${i}]: ${JSON.stringify(msgid)}`);
    if (seen.has(msgid)) throw new WecomError(710613, `duplicate msgid at msg_list[${i}]: ${msgid}`);
    if (typeof secret !== 'string' || secret === '')
      throw new WecomError(710603, `invalid key info at msg_list[${i}]: encrypt_info.secret_key is required`);
    seen.add(msgid);
    return { msgid, secretKey: secret };
  });
}

/**
 * specapi went offline upstream on 2024-06-06 (docs/upstream.md §8.6): unless the simulator is told to
 * play the old world (`SIM_SPECAPI=online`), every call is refused as an API that is gone.
 */
function checkOnline(call: ApiCall): void {
  if (call.state.options.specapi === 'online') return;
  throw new WecomError(
    SPECAPI_OFFLINE,
    'api forbidden: specapi (数据分析专区 over HTTP) is offline since 2024-06-06; use the 数据与智能专区',
  );
}

/** What WeCom answers an API it took away: "api forbidden" [I: the exact code is not documented]. */
export const SPECAPI_OFFLINE = 48002;

function createJob(call: ApiCall) {
  checkOnline(call);
  const { state } = call;
  const corp = corpOf(call);
  if (corp.keys.version === null) {
    throw new WecomError(710659, 'public key not set: call set_public_key before reading the archive');
  }
  const items = messageList(call);
  const customId = reqString(call.body, 'custom_id');
  if (Buffer.byteLength(customId) > MAX_CUSTOM_ID_BYTES) {
    throw new WecomError(
      INVALID_PARAMETER,
      `invalid parameter: custom_id must be at most ${MAX_CUSTOM_ID_BYTES} bytes, got ${Buffer.byteLength(customId)}`,
    );
  }
  const customData = optString(call.body, 'custom_data') ?? '';
  if (Buffer.byteLength(customData) > MAX_CUSTOM_DATA_BYTES) {
    throw new WecomError(
      INVALID_PARAMETER,
      `invalid parameter: custom_data must be at most ${MAX_CUSTOM_DATA_BYTES} bytes, got ${Buffer.byteLength(customData)}`,
    );
  }
  if (state.specCustomIds.has(customId))
    throw new WecomError(710626, `custom_id already exists: ${JSON.stringify(customId)}`);
  const running = [...state.specJobs.values()].filter((j) => !isFinished(state, j)).length;
  if (running >= state.options.specapiConcurrency) {
    throw new WecomError(
      45033,
      `api concurrent out of limit: at most ${state.options.specapiConcurrency} unfinished specapi jobs per provider`,
    );
  }
  const job: SpecJob = {
    jobId: `sj${randomBytes(16).toString('hex')}`,
    corpId: corp.corpId,
    customId,
    customData,
    items,
    createdAtMs: state.clock.nowMs(),
    result: null,
  };
  state.specCustomIds.add(customId);
  state.specJobs.set(job.jobId, job);
  return { jobid: job.jobId };
}

/** Runs the built-in program once: messages whose key is wrong cannot be decrypted in the zone (710605). */
function run(state: SimState, job: SpecJob): NonNullable<SpecJob['result']> {
  if (job.result) return job.result;
  const corp = state.corps.get(job.corpId)!;
  const ok = job.items
    .map((i) => corp.byId.get(i.msgid)!)
    .filter((m, i) => m.secretKey === job.items[i]!.secretKey);
  const failed = job.items
    .filter((i) => corp.byId.get(i.msgid)!.secretKey !== i.secretKey)
    .map((i) => ({ msgid: i.msgid, errcode: 710605 }));
  job.result = { jobType: WORD_FREQUENCY_JOB, data: wordFrequency(ok, failed, job.customData) };
  return job.result;
}

/** status 0 initialised (until the zone program pulls it) → 1 running → 2 finished, one phase each. */
function jobResult(call: ApiCall) {
  checkOnline(call);
  const { state } = call;
  const corp = corpOf(call);
  const jobId = reqString(call.body, 'jobid', 40088);
  const job = state.specJobs.get(jobId);
  if (!job || job.corpId !== corp.corpId || ageOf(state, job) >= JOB_TTL_MS)
    throw new WecomError(40088, `jobid ${jobId} does not exist`);
  const phase = state.options.specapiPhaseMs;
  const age = ageOf(state, job);
  if (age < phase) return { status: 0, dispatch_time: 0, progress: 0 };
  const dispatchTime = Math.floor((job.createdAtMs + phase) / 1000);
  if (age < 2 * phase)
    return { status: 1, dispatch_time: dispatchTime, progress: Math.floor(((age - phase) / phase) * 100) };
  const result = run(state, job);
  return {
    status: 2,
    dispatch_time: dispatchTime,
    progress: 100,
    result: { job_type: result.jobType, data: result.data },
  };
}

/** 数据分析专区 job API (docs/upstream.md §3.12), with a built-in zone program: word frequency per chat. */
export function specapiRoutes(): Route[] {
  return [
    { path: '/cgi-bin/chatdata/specapi/create_job', auth: 'corp', handle: createJob },
    { path: '/cgi-bin/chatdata/specapi/get_job_result', auth: 'corp', handle: jobResult },
  ];
}
