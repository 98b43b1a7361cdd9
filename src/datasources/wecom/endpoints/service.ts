import { z } from 'zod';

/** `errcode` appears only on failure for these (docs/upstream.md §1.1); the HTTP layer checks it first. */
export const suiteTokenResponse = z.object({
  suite_access_token: z.string().min(1),
  expires_in: z.number().int().positive(),
});

export const corpTokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive(),
});

/**
 * `GET /cgi-bin/gettoken` (a 代开发 app's corp token, docs/upstream.md §1.3): unlike get_corp_token
 * it answers `errcode: 0` on success too.
 */
export const gettokenResponse = corpTokenResponse.extend({ errcode: z.literal(0) });

export const permanentCodeResponse = z.object({
  permanent_code: z.string().min(1),
  auth_corp_info: z.object({ corpid: z.string().min(1), corp_name: z.string().optional() }),
  access_token: z.string().optional(),
  expires_in: z.number().int().optional(),
  auth_user_info: z
    .object({
      userid: z.string().optional(),
      open_userid: z.string().optional(),
      name: z.string().optional(),
    })
    .optional(),
  state: z.string().optional(),
  /** The authorized app (agent) in the corp: its agentid is what the JS-SDK agentConfig needs. */
  auth_info: z.object({ agent: z.array(z.object({ agentid: z.number().int() })).default([]) }).optional(),
});

/** WeCom's media upload documents `created_at` as a string of unix seconds; accept both. */
export const mediaUploadResponse = z.object({
  type: z.string(),
  media_id: z.string().min(1),
  created_at: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]),
});
