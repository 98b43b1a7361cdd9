import { randomBytes } from 'node:crypto';
import type { CorpRuntime, ExportJob } from '../domain/CorpRuntime.js';
import type { SimState } from '../domain/SimState.js';
import { type ApiCall, corpOf, type Route } from '../http/Route.js';
import { multipartFile } from '../http/readBody.js';
import { WecomError } from '../http/WecomError.js';
import { reqString } from './params.js';

const MEDIA_TTL_MS = 3 * 86_400_000;
const JOB_TTL_MS = 86_400_000;

function upload(call: ApiCall) {
  const corp = corpOf(call);
  const type = call.query.get('type');
  if (type !== 'file')
    throw new WecomError(
      40004,
      `invalid media type: export templates are uploaded as type=file, got ${type}`,
    );
  const file = multipartFile(call.raw, call.contentType, 'media');
  if (!file) throw new WecomError(41005, 'media data missing: multipart field "media" is required');
  if (file.data.length === 0) throw new WecomError(40006, 'invalid file size: empty file');
  const mediaId = `3${randomBytes(24).toString('base64url')}`;
  const createdAt = call.state.clock.nowS();
  corp.media.set(mediaId, { mediaId, createdAt, filename: file.filename, bytes: file.data.length });
  return { type: 'file', media_id: mediaId, created_at: String(createdAt) };
}

/** Fires chat_archive_export_finished once, whichever comes first: the timer or a status read. */
function finish(state: SimState, corp: CorpRuntime, job: ExportJob): void {
  if (job.notified) return;
  job.notified = true;
  state.notifier.send('chat_archive_export_finished', { AuthCorpId: corp.corpId, JobId: job.jobId });
}

function createJob(call: ApiCall) {
  const { state } = call;
  const corp = corpOf(call);
  const code = reqString(call.body, 'code', 42003);
  const entry = corp.exportCodes.get(code);
  if (!entry || state.clock.nowMs() >= entry.expiresAtMs)
    throw new WecomError(42003, 'invalid export code: unknown or expired (valid 5 min)');
  if (entry.used) throw new WecomError(42022, 'export code already used (single use)');
  const mediaId = reqString(call.body, 'media_id', 40007);
  const media = corp.media.get(mediaId);
  if (!media || state.clock.nowMs() >= media.createdAt * 1000 + MEDIA_TTL_MS)
    throw new WecomError(40007, `invalid media_id ${mediaId}`);
  const day = Math.floor(state.clock.nowS() / 86_400);
  if (corp.exportDay.day !== day) corp.exportDay = { day, count: 0 };
  if (corp.exportDay.count >= state.options.exportJobsPerDay) {
    throw new WecomError(
      45009,
      `api freq out of limit: at most ${state.options.exportJobsPerDay} export jobs per corp per day`,
    );
  }
  corp.exportDay.count += 1;
  entry.used = true;
  const job: ExportJob = {
    jobId: `ej${randomBytes(16).toString('hex')}`,
    createdAtMs: state.clock.nowMs(),
    resultId: `er${randomBytes(16).toString('hex')}`,
    notified: false,
    mediaId,
  };
  corp.exports.set(job.jobId, job);
  state.schedule(2 * state.options.exportPhaseMs, () => finish(state, corp, job));
  return { jobid: job.jobId };
}

function jobStatus(call: ApiCall) {
  const { state } = call;
  const corp = corpOf(call);
  const jobId = reqString(call.body, 'jobid', 40088);
  const job = corp.exports.get(jobId);
  const age = job ? state.clock.nowMs() - job.createdAtMs : 0;
  if (!job || age >= JOB_TTL_MS) throw new WecomError(40088, `jobid ${jobId} does not exist`);
  const phase = state.options.exportPhaseMs;
  if (age < phase) return { status: 1 };
  if (age < 2 * phase) return { status: 2 };
  finish(state, corp, job);
  return { status: 3, result_id: job.resultId, result_errcode: 0, result_errmsg: 'ok' };
}

export function exportRoutes(): Route[] {
  return [
    { path: '/cgi-bin/media/upload', auth: 'corp', multipart: true, handle: upload },
    { path: '/cgi-bin/chatdata/export/create_job', auth: 'corp', needsKey: true, handle: createJob },
    { path: '/cgi-bin/chatdata/export/get_job_status', auth: 'corp', handle: jobStatus },
  ];
}
