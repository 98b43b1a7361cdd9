import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationCost } from '../../../src/plugins/operationCost.js';
import { schema } from '../../../src/schema/index.js';

const cost = (query: string, variables: Record<string, unknown> = {}) =>
  operationCost(schema, parse(query), null, variables);

describe('operationCost', () => {
  it('multiplies a subtree by first, so nested pages grow as their product', () => {
    const one = cost('{ corp(corpId: "c") { messages(first: 10) { edges { node { id } } } } }');
    const big = cost('{ corp(corpId: "c") { messages(first: 100) { edges { node { id } } } } }');
    expect(big).toBeGreaterThan(one * 9);
    const nested = cost(
      '{ corps(first: 100) { edges { node { searchChats(query: "ab", first: 100) { edges { node { messages(first: 100) { edges { node { id } } } } } } } } } }',
    );
    expect(nested).toBeGreaterThan(1_000_000);
  });

  it('reads first from variables and uses the default page size without it', () => {
    const q = 'query($n: Int) { corp(corpId: "c") { keywordRules(first: $n) { edges { node { id } } } } }';
    expect(cost(q, { n: 100 })).toBeGreaterThan(cost(q, {}));
    expect(cost(q, {})).toBe(cost(q, { n: 20 }));
  });

  it('counts list arguments: each consent pair is upstream work', () => {
    const q = 'query($p: [ConsentPairInput!]!) { corp(corpId: "c") { consents(pairs: $p) { status } } }';
    const pair = { employeeId: 'e', externalUserId: 'x' };
    const small = cost(q, { p: [pair] });
    const huge = cost(q, { p: Array.from({ length: 5000 }, () => pair) });
    expect(huge - small).toBeGreaterThanOrEqual(4999);
  });

  it('follows fragments and ignores scalars', () => {
    const plain = cost('{ corp(corpId: "c") { corpId name } }');
    expect(plain).toBe(1);
    const viaFragment = cost('query { corp(corpId: "c") { ...F } } fragment F on Corp { corpId name }');
    expect(viaFragment).toBe(1);
  });
});
