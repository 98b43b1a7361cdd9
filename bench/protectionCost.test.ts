import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, startStack } from '../test/helpers/startStack.js';
import { postGraphql, reportFigures } from '../test/reliability/figures.js';

const OFF = {
  GRAPHQL_CSRF: '0',
  GRAPHQL_MAX_COST: '0',
  RATE_LIMIT_MAX: '0',
  GRAPHQL_MAX_DEPTH: '1000',
  GRAPHQL_MAX_ALIASES: '100000',
  GRAPHQL_MAX_TOKENS: '1000000',
  GRAPHQL_MAX_DIRECTIVES: '100000',
};
// Answered by the gateway alone (corp record from the store, no upstream call): the protections' share shows.
const QUERY = `query Corp($c: String!) { corp(corpId: $c) { corpId name } viewer { id scopes } }`;
const REQUESTS = 1000;

/**
 * What the protections cost: the same load (a query the gateway answers from its store, 8 at
 * a time) against a gateway with every protection off, with the defaults, and with the
 * defaults plus Redis-shared rate limits and persisted-operation logging. Figures only: speed
 * belongs in the benchmark suite, so nothing here asserts a time.
 */
describe('protection cost (figures only)', () => {
  it('measures operations per second with and without the protections', async () => {
    const persisted = join(tmpdir(), `persisted-cost-${process.pid}.json`);
    writeFileSync(persisted, JSON.stringify(['{ viewer { id } }']));
    const configs: [string, { env: Record<string, string>; redis?: boolean }][] = [
      ['all off', { env: OFF }],
      ['defaults (memory rate limit)', { env: {} }],
      [
        'defaults + Redis rate limit + persisted log',
        { env: { PERSISTED_OPERATIONS: 'log', PERSISTED_OPERATIONS_FILE: persisted }, redis: true },
      ],
    ];
    const figures: Record<string, number> = {};
    for (const [name, options] of configs) {
      const stack = await startStack({ env: options.env, redis: options.redis ?? false });
      try {
        const c = stack.corps[0]!.corpId;
        const call = () =>
          postGraphql(
            stack.graphqlUrl,
            { query: QUERY, variables: { c } },
            { authorization: `Bearer ${ADMIN_KEY}` },
          );
        for (let i = 0; i < 200; i++) expect((await call()).json.errors).toBeUndefined(); // warm up
        let next = 0;
        let failed = 0;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (next++ < REQUESTS) if ((await call()).json.errors) failed++;
          }),
        );
        figures[`${name} ops/s`] = Math.round(REQUESTS / ((performance.now() - started) / 1000));
        expect(failed).toBe(0);
      } finally {
        await stack.stop();
      }
    }
    reportFigures(
      'protection cost',
      Object.fromEntries(Object.entries(figures).map(([k, v]) => [k.replaceAll(' ', '_'), v])),
    );
  }, 120_000);
});
