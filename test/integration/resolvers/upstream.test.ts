import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPSTREAM_USER_ERRORS } from '../../../src/errors/upstreamUserErrors.js';
import { gqlErrors, type Json } from '../../helpers/graphqlCall.js';
import { type Stack, startStack } from '../../helpers/startStack.js';

type Calls = Record<string, number>;
const RULES = '/cgi-bin/chatdata/keyword/get_rule_list';
const RULES_QUERY = 'query($c: String!) { corp(corpId: $c) { keywordRules(first: 5) { edges { cursor } } } }';

describe('upstream failures become stable error codes', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { UPSTREAM_TIMEOUT_MS: '1000' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    [
      'errcode 301053',
      { errcode: 301053 },
      { code: 'UPSTREAM_ERROR', errcode: 301053, retryable: false, path: RULES },
    ],
    [
      'errcode -1 (busy)',
      { errcode: -1 },
      { code: 'UPSTREAM_ERROR', errcode: -1, retryable: true, path: RULES },
    ],
    ['errcode 48004', { errcode: 48004 }, { code: 'CORP_NOT_AUTHORIZED', errcode: 48004, path: RULES }],
    [
      'HTTP 502',
      { httpStatus: 502 },
      { code: 'UPSTREAM_UNAVAILABLE', httpStatus: 502, retryable: true, path: RULES },
    ],
    [
      'a reply slower than the deadline',
      { delayMs: 1500 },
      { code: 'UPSTREAM_TIMEOUT', retryable: true, path: RULES },
    ],
    // Last: after a 45009 the gateway fails this corp+path fast until the next minute boundary.
    ['errcode 45009', { errcode: 45009 }, { code: 'RATE_LIMITED', errcode: 45009, path: RULES }],
  ];

  // Before the cases: their last one (45009) makes this corp+path fail fast for the rest of the minute.
  for (const [errcode, mapped] of UPSTREAM_USER_ERRORS) {
    it(`errcode ${errcode} → ${mapped.code} with a sentence saying what to do`, async () => {
      await stack.simPost('/__sim/faults', { path: RULES, times: 1, errcode });
      const { errors } = await gqlErrors(stack.client(), RULES_QUERY, { c: stack.corps[0]!.corpId });
      expect(errors).toHaveLength(1);
      expect(errors[0]!.extensions).toMatchObject({
        code: mapped.code,
        errcode,
        path: RULES,
        retryable: false,
      });
      expect(errors[0]!.message).toBe(`${mapped.advice} (WeCom ${RULES} errcode ${errcode})`);
      expect(errors[0]!.path).toEqual(['corp', 'keywordRules']);
    });
  }

  for (const [name, fault, expected] of cases) {
    it(`${name} → ${expected['code']}`, async () => {
      await stack.simPost('/__sim/faults', { path: RULES, times: 1, ...fault });
      const { errors } = await gqlErrors(stack.client(), RULES_QUERY, { c: stack.corps[0]!.corpId });
      expect(errors).toHaveLength(1);
      expect(errors[0]!.extensions).toMatchObject(expected);
      expect(errors[0]!.path).toEqual(['corp', 'keywordRules']);
      expect(JSON.stringify(errors)).not.toMatch(/access_token=(?!\*)/);
    });
  }

  it('deleting a rule that was already deleted is NOT_FOUND (710612), saying where to look', async () => {
    const c = stack.corps[0]!.corpId;
    const created = await stack
      .client()
      .request<Json>(
        'mutation($c: String!) { createKeywordRule(corpId: $c, input: { name: "once", keywords: ["x1"] }) { id } }',
        { c },
      );
    const remove = 'mutation($id: ID!) { deleteKeywordRule(id: $id) }';
    await stack.client().request(remove, { id: created.createKeywordRule.id });
    const { errors } = await gqlErrors(stack.client(), remove, { id: created.createKeywordRule.id });
    expect(errors[0]!.extensions).toMatchObject({
      code: 'NOT_FOUND',
      errcode: 710612,
      path: '/cgi-bin/chatdata/keyword/delete_rule',
    });
    expect(errors[0]!.message).toContain('Corp.keywordRules');
  });

  it('an id of an unknown type is BAD_USER_INPUT, not an internal error', async () => {
    const { errors } = await gqlErrors(stack.client(), '{ node(id: "Tm9wZTp4") { id } }');
    expect(errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});

describe('token expiry and refresh under load', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      sim: { tokenTtlS: 600, concurrency: 10_000 },
      env: { TOKEN_REFRESH_MARGIN_S: '0' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('200 concurrent requests after every token expired upstream: exactly one get_corp_token per corp', async () => {
    const corpIds = stack.corps.map((c) => c.corpId);
    const [first, ...others] = corpIds;
    const client = stack.client();
    await stack.simPost('/__sim/clock', { advanceSeconds: 601 });

    // The suite token expired too: the first corp's refresh meets 42009 once, renews the suite
    // token once, and retries. Counted separately so the load phase below is exact.
    await stack.simPost('/__sim/stats/reset');
    await client.request(RULES_QUERY, { c: first });
    const warmup = (await stack.simGet<{ calls: Calls }>('/__sim/stats')).calls;
    expect(warmup['/cgi-bin/service/get_suite_token']).toBe(1);
    expect(warmup['/cgi-bin/service/get_corp_token']).toBe(2);

    await stack.simPost('/__sim/stats/reset');
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client.request<Json>(RULES_QUERY, { c: others[i % others.length] }),
      ),
    );
    expect(results.every((r) => Array.isArray(r.corp.keywordRules.edges))).toBe(true);
    const { calls } = await stack.simGet<{ calls: Calls }>('/__sim/stats');
    expect(calls['/cgi-bin/service/get_corp_token']).toBe(others.length);
    expect(calls['/cgi-bin/service/get_suite_token']).toBeUndefined();
    expect(calls[RULES]).toBeGreaterThanOrEqual(200);

    await stack.simPost('/__sim/stats/reset');
    await client.request(RULES_QUERY, { c: corpIds[0] });
    const after = (await stack.simGet<{ calls: Calls }>('/__sim/stats')).calls;
    expect(after).toEqual({ [RULES]: 1 });
  });
});
