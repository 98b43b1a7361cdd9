/**
 * zod schemas of every upstream API we call, request and response, keyed by chatdata API name.
 * Requests are strict (an unknown or out-of-range field is our bug); responses drop unknown
 * fields (WeCom adds fields) but are strict about the fields we read. Field names are WeCom's.
 */
import type { z } from 'zod';
import {
  agreeStatusRoom,
  agreeStatusSingle,
  analyzeTaskAdd,
  analyzeTaskResult,
  analyzeTaskSubmit,
  exportCreateJob,
  exportGetJobStatus,
  getAuthUserList,
  getCorpAuthInfo,
  setPublicKey,
} from './endpoints/admin.js';
import { createRule, deleteRule, getRuleDetail, getRuleList, updateRule } from './endpoints/keyword.js';
import { getHitMsgList, groupchatGet, searchChat, searchMsg, syncMsg } from './endpoints/messages.js';
import {
  corpTokenResponse,
  gettokenResponse,
  mediaUploadResponse,
  permanentCodeResponse,
  suiteTokenResponse,
} from './endpoints/service.js';
import { specapiCreateJob, specapiGetJobResult } from './endpoints/specapi.js';

export { hasMore } from './endpoints/common.js';
export { describeIssues, formatPath } from './endpoints/describeIssues.js';
export { jsapiTicketResponse } from './endpoints/jsapi.js';
export { archivedMessage, serviceEncryptInfo, syncMsgPage } from './endpoints/messages.js';
export {
  corpTokenResponse,
  gettokenResponse,
  mediaUploadResponse,
  permanentCodeResponse,
  suiteTokenResponse,
};

export const chatdataSchemas = {
  sync_msg: syncMsg,
  'groupchat/get': groupchatGet,
  search_chat: searchChat,
  search_msg: searchMsg,
  'keyword/create_rule': createRule,
  'keyword/update_rule': updateRule,
  'keyword/delete_rule': deleteRule,
  'keyword/get_rule_list': getRuleList,
  'keyword/get_rule_detail': getRuleDetail,
  'keyword/get_hit_msg_list': getHitMsgList,
  'getagreestatus/single': agreeStatusSingle,
  'getagreestatus/room': agreeStatusRoom,
  analyze_task_add: analyzeTaskAdd,
  analyze_task_submit: analyzeTaskSubmit,
  analyze_task_result: analyzeTaskResult,
  'export/create_job': exportCreateJob,
  'export/get_job_status': exportGetJobStatus,
  set_public_key: setPublicKey,
  get_auth_user_list: getAuthUserList,
  get_corp_auth_info: getCorpAuthInfo,
  'specapi/create_job': specapiCreateJob,
  'specapi/get_job_result': specapiGetJobResult,
} as const;

export type ChatdataApi = keyof typeof chatdataSchemas;
export const CHATDATA_APIS = Object.keys(chatdataSchemas) as ChatdataApi[];

export type ChatdataRequest<A extends ChatdataApi> = z.input<(typeof chatdataSchemas)[A]['request']>;
export type ChatdataResponse<A extends ChatdataApi> = z.output<(typeof chatdataSchemas)[A]['response']>;

export type ArchivedMessageItem = ChatdataResponse<'sync_msg'>['msg_list'][number];
export type SuiteTokenResponse = z.output<typeof suiteTokenResponse>;
export type CorpTokenResponse = z.output<typeof corpTokenResponse>;
export type PermanentCodeResponse = z.output<typeof permanentCodeResponse>;
export type MediaUploadResponse = z.output<typeof mediaUploadResponse>;
