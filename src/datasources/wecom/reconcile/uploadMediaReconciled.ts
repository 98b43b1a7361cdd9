import type { UploadedMedia, WecomApi } from '../ports.js';
import { isOutcomeUnknown, unknownWithAdvice } from '../upstreamCallKinds.js';

/**
 * media/upload (the export template, docs/upstream.md §3.13) with its lost answer reconciled by
 * uploading once more: the lost upload's media_id reaches nobody and expires upstream after 3
 * days, so the second upload changes nothing twice, and the caller gets the one media_id it saw.
 * Two lost answers in a row stay unknown; nothing was started with either upload.
 */
export async function uploadMediaReconciled(
  api: Pick<WecomApi, 'uploadMedia'>,
  corpId: string,
  filename: string,
  content: Uint8Array,
): Promise<UploadedMedia> {
  try {
    return await api.uploadMedia(corpId, filename, content);
  } catch (error) {
    if (!isOutcomeUnknown(error)) throw error;
    try {
      return await api.uploadMedia(corpId, filename, content);
    } catch (again) {
      if (!isOutcomeUnknown(again)) throw again;
      throw unknownWithAdvice(
        again,
        'the template upload lost its answer twice; no export was started and the export code is unused: ' +
          'call createExport again with the same code',
      );
    }
  }
}
