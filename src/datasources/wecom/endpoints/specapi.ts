import { z } from 'zod';
import { nonEmpty } from './common.js';

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** 数据分析专区 job API (docs/upstream.md §3.12): ≤1000 messages, custom_id ≤128 bytes, custom_data ≤1024 bytes. */
export const specapiCreateJob = {
  request: z.strictObject({
    msg_filter: z.strictObject({
      msg_list: z
        .array(z.strictObject({ msgid: nonEmpty, encrypt_info: z.strictObject({ secret_key: nonEmpty }) }))
        .min(1, 'msg_list must hold 1..1000 messages')
        .max(1000, 'msg_list must hold 1..1000 messages'),
    }),
    custom_id: nonEmpty.refine((s) => utf8Bytes(s) <= 128, 'custom_id must be at most 128 bytes'),
    custom_data: z
      .string()
      .refine((s) => utf8Bytes(s) <= 1024, 'custom_data must be at most 1024 bytes')
      .optional(),
  }),
  response: z.object({ jobid: z.string().min(1) }),
};

export const specapiGetJobResult = {
  request: z.strictObject({ jobid: nonEmpty }),
  response: z.object({
    /** 0 initialised, 1 running, 2 finished. */
    status: z.number().int(),
    /** Unix seconds the zone program took the job; 0 before. */
    dispatch_time: z.number().int().default(0),
    /** Percent. */
    progress: z.number().int().default(0),
    /** When status is 2: the zone program's output (`data` is its own text, usually JSON). */
    result: z
      .object({
        job_type: z.union([z.string(), z.number().int().transform(String)]),
        data: z.string().optional(),
      })
      .optional(),
  }),
};
