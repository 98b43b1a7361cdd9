import { z } from 'zod';
import { charsBetween, listMax, show } from './validation/rules.js';

/** Mirrors keyword/create_rule and update_rule limits (contract §3.5). Enums arrive as upstream ints. */
const ids = (name: string, max: number, item: z.ZodType<string> = z.string().min(1)) =>
  listMax(name, item, max).nullish();

const departmentId = z.string().refine((s) => /^\d{1,19}$/.test(s), {
  error: (iss) =>
    `each applicableRange.departmentIds entry must be a decimal department id, got ${show(iss.input)}`,
});

export const applicableRangeInput = z.object({
  targetTypes: z.array(z.number().int()).nullish(),
  chatTypes: z.array(z.number().int()).nullish(),
  departmentIds: ids('applicableRange.departmentIds', 100, departmentId),
  userIds: ids('applicableRange.userIds', 1000),
  externalUserIds: ids('applicableRange.externalUserIds', 100),
  chatIds: ids('applicableRange.chatIds', 2000),
  sessionTypes: z.array(z.number().int()).nullish(),
  excludeMobiles: ids('applicableRange.excludeMobiles', 100),
  excludeEmails: ids('applicableRange.excludeEmails', 100),
  excludeBankCards: ids('applicableRange.excludeBankCards', 100),
});

const keywords = listMax('keywords', charsBetween('each keyword', 1, 32), 20);
const behaviours = listMax('behaviours', z.number().int().min(1).max(12), 12);
const name = charsBetween('name', 1, 20);

export const createRuleArgs = z.object({
  input: z
    .object({
      name,
      keywords: keywords.nullish(),
      behaviours: behaviours.nullish(),
      applicableRange: applicableRangeInput.nullish(),
    })
    .refine((v) => (v.keywords?.length ?? 0) > 0 || (v.behaviours?.length ?? 0) > 0, {
      path: ['keywords'],
      error: 'a rule needs at least one keyword or behaviour, got none',
    }),
});

/** On update, an empty list clears that setting upstream; null/absent leaves it unchanged. */
export const updateRuleArgs = z.object({
  input: z
    .object({
      name: name.nullish(),
      keywords: keywords.nullish(),
      behaviours: behaviours.nullish(),
      applicableRange: applicableRangeInput.nullish(),
    })
    .refine(
      (v) => v.name != null || v.keywords != null || v.behaviours != null || v.applicableRange != null,
      {
        error: 'input must set at least one of name, keywords, behaviours, applicableRange, got none',
      },
    ),
});

export type RangeInput = z.output<typeof applicableRangeInput>;

/** Drops null lists (GraphQL null = "not given"). */
export function definedLists(range: RangeInput): Record<string, unknown[]> {
  return Object.fromEntries(Object.entries(range).filter(([, v]) => Array.isArray(v))) as Record<
    string,
    unknown[]
  >;
}
