import type { ChatdataResponse } from '../datasources/wecom/upstreamSchemas.js';
import { knownTime } from './knownTime.js';

export type CorpEdition = {
  edition: number;
  status: number | null;
  beginAt: number | null;
  endAt: number | null;
  msgDurationDays: number | null;
  authUserCount: number | null;
};

type UpstreamEdition = ChatdataResponse<'get_corp_auth_info'>['auth_edition_list'][number];

/**
 * One edition of get_corp_auth_info. Its times go through knownTime: WeCom answers 0 for a time
 * that is not set (an edition not started or without an end), which is null here, not 1970.
 */
export function toCorpEdition(e: UpstreamEdition): CorpEdition {
  return {
    edition: e.edition,
    status: e.status ?? null,
    beginAt: knownTime(e.begin_time),
    endAt: knownTime(e.end_time),
    msgDurationDays: e.msg_duration_days ?? null,
    authUserCount: e.auth_user_count ?? null,
  };
}
