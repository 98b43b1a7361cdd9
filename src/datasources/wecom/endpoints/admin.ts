import { z } from 'zod';
import {
  bareResponse,
  cursorRequest,
  employeeId,
  hasMore,
  limitRequest,
  nextCursor,
  nonEmpty,
} from './common.js';
import { serviceEncryptInfo } from './messages.js';

/** "Default_Agree" is from the legacy msgaudit API and may still appear (docs/upstream.md §3.7). */
const agreeStatus = z.enum(['Agree', 'Disagree', 'Default_Agree']);

export const agreeStatusSingle = {
  request: z.strictObject({
    item: z
      .array(z.strictObject({ open_userid: nonEmpty, external_userid: nonEmpty }))
      .min(1, 'item must hold 1..100 pairs')
      .max(100, 'item must hold 1..100 pairs'),
  }),
  response: z.object({
    agreeinfo: z
      .array(
        employeeId({
          external_userid: z.string(),
          agree_status: agreeStatus,
          status_change_time: z.number().int(),
        }),
      )
      .default([]),
  }),
};

export const agreeStatusRoom = {
  request: z.strictObject({ chatid: nonEmpty }),
  response: z.object({
    agreeinfo: z
      .array(
        z.object({
          external_userid: z.string(),
          agree_status: agreeStatus,
          status_change_time: z.number().int(),
        }),
      )
      .default([]),
  }),
};

export const analyzeTaskAdd = {
  request: z.strictObject({
    analyze_task: z.union(
      [z.literal(1), z.literal(2), z.literal(3)],
      'analyze_task must be 1 (sentiment), 2 (spam) or 3 (summary)',
    ),
    jobid: z.string().optional(),
    msg_list: z
      .array(z.strictObject({ msgid: nonEmpty, encrypt_info: z.strictObject({ secret_key: nonEmpty }) }))
      .min(1, 'msg_list must hold 1..1000 messages')
      .max(1000, 'msg_list must hold 1..1000 messages'),
  }),
  response: z.object({
    jobid: z.string().min(1),
    fail_list: z
      .array(z.object({ msgid: z.string(), errcode: z.number().int(), errmsg: z.string() }))
      .default([]),
  }),
};

export const analyzeTaskSubmit = { request: z.strictObject({ jobid: nonEmpty }), response: bareResponse };

export const analyzeTaskResult = {
  request: z.strictObject({ jobid: nonEmpty }),
  response: z.object({
    /** 0 running, 1 done, 2 failed (zone semantics, docs/upstream.md §3.8). */
    status: z.number().int(),
    analyze_result_list: z
      .array(
        z.object({
          msgid: z.string(),
          errcode: z.number().int().default(0),
          errmsg: z.string().optional(),
          sentiment_result: z.number().int().optional(),
          spam_result: z.number().int().optional(),
        }),
      )
      .default([]),
    analyze_result: z.object({ result_id: z.string(), service_encrypt_info: serviceEncryptInfo }).optional(),
  }),
};

export const exportCreateJob = {
  request: z.strictObject({ code: nonEmpty, media_id: nonEmpty }),
  response: z.object({ jobid: z.string().min(1) }),
};

export const exportGetJobStatus = {
  request: z.strictObject({ jobid: nonEmpty }),
  response: z.object({
    /** 1 waiting, 2 running, 3 done */
    status: z.number().int(),
    result_id: z.string().optional(),
    result_errcode: z.number().int().optional(),
    result_errmsg: z.string().optional(),
  }),
};

export const setPublicKey = {
  request: z.strictObject({
    public_key: z.string().includes('BEGIN PUBLIC KEY', { message: 'public_key must be a PEM public key' }),
    public_key_ver: z.number().int().min(1, 'public_key_ver must be an integer >= 1'),
  }),
  response: bareResponse,
};

export const getAuthUserList = {
  request: z.strictObject({ cursor: cursorRequest, limit: limitRequest(1000) }),
  response: z.object({
    auth_user_list: z.array(employeeId({ edition_list: z.array(z.number().int()).default([]) })).default([]),
    has_more: hasMore,
    next_cursor: nextCursor,
  }),
};

export const getCorpAuthInfo = {
  request: z.strictObject({}),
  response: z.object({
    auth_edition_list: z
      .array(
        z.object({
          edition: z.number().int(),
          auth_scope: z
            .object({
              userid_list: z.array(z.string()).optional(),
              department_id_list: z.array(z.number().int()).optional(),
              tag_id_list: z.array(z.number().int()).optional(),
            })
            .optional(),
          status: z.number().int().optional(),
          begin_time: z.number().int().optional(),
          end_time: z.number().int().optional(),
          msg_duration_days: z.number().int().optional(),
          auth_user_count: z.number().int().optional(),
        }),
      )
      .default([]),
  }),
};
