import type { z } from 'zod';
import { badUserInput } from '../../errors/codes.js';

/**
 * Checks resolver arguments before any upstream call. The first issue becomes a
 * BAD_USER_INPUT error whose `field` is the argument path and whose message restates the
 * rule with the bad value (the schemas' messages do that; see `rules.ts`).
 */
export function validate<S extends z.ZodType>(schema: S, args: unknown): z.output<S> {
  const result = schema.safeParse(args, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  throw badUserInput(issue.message, field, valueAt(args, issue.path));
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
