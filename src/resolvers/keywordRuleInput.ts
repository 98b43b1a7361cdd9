import { z } from 'zod';
import { charsBetween, listMax, show } from './validation/rules.js';

/**
 * Mirrors keyword/create_rule and update_rule limits (docs/upstream.md §3.5, §8.4). Enums arrive as upstream
 * ints. The department, user, external-contact and chat lists hold ≤100 entries each on the HTTP API
 * (doc 99676); the 1000/2000 once used here are the data zone's, which the upstream refused.
 */
export const MAX_RANGE_IDS = 100;

const ids = (name: string, max: number, item: z.ZodType<string> = z.string().min(1)) =>
  listMax(name, item, max).nullish();

const departmentId = z.string().refine((s) => /^\d{1,19}$/.test(s), {
  error: (iss) =>
    `each applicableRange.departmentIds entry must be a decimal department id, got ${show(iss.input)}`,
});

export const applicableRangeInput = z.object({
  targetTypes: z.array(z.number().int()).nullish(),
  chatTypes: z.array(z.number().int()).nullish(),
  departmentIds: ids('applicableRange.departmentIds', MAX_RANGE_IDS, departmentId),
  userIds: ids('applicableRange.userIds', MAX_RANGE_IDS),
  externalUserIds: ids('applicableRange.externalUserIds', MAX_RANGE_IDS),
  chatIds: ids('applicableRange.chatIds', MAX_RANGE_IDS),
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
