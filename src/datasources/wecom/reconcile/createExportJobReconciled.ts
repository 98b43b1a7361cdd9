import type { WecomApi } from '../ports.js';
import { isOutcomeUnknown, unknownWithAdvice } from '../upstreamCallKinds.js';
import { WecomError } from '../WecomError.js';

/** 42022: the export code was used already (single use). */
export const EXPORT_CODE_USED = 42022;

/**
 * export/create_job with a single-use export code. When the answer is lost the call is asked
 * again with the same code, which is safe: the upstream either starts the job now (the lost call
 * never took effect) or refuses the used code (42022: it did, and its jobid is gone). Then the
 * caller is told exactly that, with what to do: the job runs, and WeCom's
 * chat_archive_export_finished event names it, which the gateway records and publishes
 * (exportTaskUpdated) like any other export; only if none arrives should the user get a new code.
 */
export async function createExportJobReconciled(
  api: Pick<WecomApi, 'chatdata'>,
  corpId: string,
  code: string,
  mediaId: string,
): Promise<string> {
  const create = async () =>
    (await api.chatdata(corpId, 'export/create_job', { code, media_id: mediaId })).jobid;
  let lost: WecomError;
  try {
    return await create();
  } catch (error) {
    if (!isOutcomeUnknown(error)) throw error;
    lost = error;
  }
  try {
    return await create();
  } catch (error) {
    if (!(error instanceof WecomError) || error.errcode !== EXPORT_CODE_USED) throw error;
    throw unknownWithAdvice(
      lost,
      'the export started (asked again, the code is refused as used: 42022) but its job id is lost. ' +
        'Do not ask the user for a new export code yet: when WeCom finishes the job its export-finished ' +
        'event reaches the gateway, which records the task and publishes it on exportTaskUpdated. Only if ' +
        'none arrives within the job time (minutes), get a new code from <ww-open-button ' +
        'open-type="getExportCode"> and call createExport again',
      error,
    );
  }
}
