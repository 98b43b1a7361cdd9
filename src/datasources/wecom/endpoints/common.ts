import { z } from 'zod';

/**
 * `has_more` is int 0/1 on most APIs but a JSON bool on get_rule_list and get_auth_user_list
 * (docs/upstream.md §2.1); absent means "no more". Always exposed as a boolean.
 */
export const hasMore = z
  .union([z.literal(0), z.literal(1), z.boolean()])
  .optional()
  .transform((v) => v === 1 || v === true);

/** Absent on the last page of some APIs. */
export const nextCursor = z
  .string()
  .optional()
  .transform((v) => v ?? '');

export const cursorRequest = z.string().max(128, 'cursor must be at most 128 bytes').optional();

export function limitRequest(max: number) {
  return z
    .number()
    .int(`limit must be an integer 1..${max}`)
    .min(1, `limit must be 1..${max}`)
    .max(max, `limit must be 1..${max}`)
    .optional();
}

/** WeCom counts UTF-8 characters (code points), not UTF-16 units. */
export function minChars(min: number, name: string) {
  return z.string().refine((s) => [...s].length >= min, `${name} must be at least ${min} characters`);
}

export function charRange(min: number, max: number, name: string) {
  return z.string().refine((s) => {
    const n = [...s].length;
    return n >= min && n <= max;
  }, `${name} must be ${min}..${max} characters`);
}

export const nonEmpty = z.string().min(1, 'must be a non-empty string');

/**
 * Employee ids come as `open_userid` for third-party providers and `userid` on the zone pages
 * (docs/upstream.md §3.7, §3.11, §7.8). Accept either; expose `open_userid` only.
 */
export function employeeId<T extends z.ZodRawShape>(shape: T) {
  return z
    .object({ ...shape, open_userid: z.string().min(1).optional(), userid: z.string().min(1).optional() })
    .transform((value, ctx) => {
      const { open_userid, userid, ...rest } = value as { open_userid?: string; userid?: string } & Record<
        string,
        unknown
      >;
      const id = open_userid ?? userid;
      if (id === undefined) {
        ctx.issues.push({
          code: 'custom',
          message: 'expected an employee id in open_userid or userid',
          input: value,
          path: ['open_userid'],
        });
        return z.NEVER;
      }
      return { ...(rest as z.output<z.ZodObject<T>>), open_userid: id };
    });
}

/** Responses with nothing but the errcode envelope. */
export const bareResponse = z.object({});
