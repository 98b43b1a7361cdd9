import { z } from 'zod';

/**
 * Argument rules mirroring the upstream limits (docs/upstream.md §3). Every message names the field,
 * restates the rule and shows the rejected value: "first must be 1..100, got 500".
 */

export const show = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (Array.isArray(value)) return `${value.length} items`;
  return JSON.stringify(value) ?? String(value);
};

const chars = (s: string) => [...s].length;

export function intRange(name: string, min: number, max: number) {
  const error = (iss: { input?: unknown }) => `${name} must be ${min}..${max}, got ${show(iss.input)}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** Page size: optional, default `def`. */
export function first(max = 100, def = 20) {
  return intRange('first', 1, max)
    .nullish()
    .transform((v) => v ?? def);
}

export function charsBetween(name: string, min: number, max: number) {
  return z.string().refine((s) => chars(s) >= min && chars(s) <= max, {
    error: (iss) => `${name} must be ${min}..${max} characters, got ${show(iss.input)}`,
  });
}

export function minChars(name: string, min: number) {
  return z.string().refine((s) => chars(s) >= min, {
    error: (iss) => `${name} must be at least ${min} characters, got ${show(iss.input)}`,
  });
}

export function listMax<T extends z.ZodType>(name: string, item: T, max: number, min = 0) {
  const error = (iss: { input?: unknown }) =>
    `${name} must hold ${min}..${max} entries, got ${Array.isArray(iss.input) ? iss.input.length : show(iss.input)}`;
  return z.array(item).min(min, { error }).max(max, { error });
}

export const nonEmptyString = (name: string) =>
  z.string().refine((s) => s.trim().length > 0, { error: () => `${name} must be a non-empty string` });

/** Opaque connection cursor: whatever `after` we handed out; checked when decoded. */
export const after = z.string().nullish();
