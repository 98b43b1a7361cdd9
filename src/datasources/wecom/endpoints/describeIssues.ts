import type { z } from 'zod';

/** Field names whose values must never be echoed into an error message. */
const SECRET_FIELD = /secret|token|key|code|ticket/i;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `a.b[0].c` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? '(root)' : out;
}

/**
 * One line per issue: field path, zod's statement of the rule, and what was there. `values`
 * decides whether the offending value is shown (our own requests) or only its type (upstream
 * responses, which may carry tokens). Secret-looking fields never show their value.
 */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  values: 'show' | 'types',
): string {
  return issues
    .map((issue) => {
      const field = formatPath(issue.path);
      const bad = valueAt(input, issue.path);
      const isSecret = issue.path.some((p) => typeof p === 'string' && SECRET_FIELD.test(p));
      const got =
        bad === undefined
          ? 'missing'
          : values === 'show' && !isSecret
            ? `got ${show(bad)}`
            : `got ${typeOf(bad)}`;
      return `${field}: ${issue.message} (${got})`;
    })
    .join('; ');
}
