import { defineConfig } from 'vitest/config';

// Projects: `unit` (pure functions, no sockets), `integration` (real HTTP servers on loopback, the
// simulator, a real Redis), `reliability` (faults, abuse, outages, shutdown) — `npm test` runs these
// three — and `bench` (measurements only, never in `npm test`: speed belongs to the bench suite).
export default defineConfig({
  // graphql ships CJS (index.js) and ESM (index.mjs) without an exports map: Vite would give our
  // sources the ESM build while yoga and Pothos load the CJS one, and `instanceof GraphQLError`
  // would fail across the two. One build for everyone.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    globalSetup: ['test/helpers/globalSetup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'] },
      },
      {
        // Faults, abuse, outages and shutdown (issue 5); `npm run test:reliability` runs it alone.
        extends: true,
        test: { name: 'reliability', include: ['test/reliability/**/*.test.ts'] },
      },
      {
        // What the protections cost in throughput: `npm run bench:protection`.
        extends: true,
        test: { name: 'bench', include: ['bench/**/*.test.ts'], testTimeout: 300_000 },
      },
    ],
  },
});
