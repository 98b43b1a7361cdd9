import type { builder } from './builder.js';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/** `from`/`to` of the window a statistics field actually answered (widened to whole buckets). */
export function answeredWindowFields<S extends { from: number; to: number }>(
  t: PothosSchemaTypes.ObjectFieldBuilder<Types, S>,
) {
  return {
    from: t.field({
      type: 'DateTime',
      description: 'Start of the window answered (inclusive).',
      resolve: (s) => s.from,
    }),
    to: t.field({
      type: 'DateTime',
      description: 'End of the window answered (exclusive).',
      resolve: (s) => s.to,
    }),
  };
}
