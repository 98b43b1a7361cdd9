import { describe, expect, it } from 'vitest';
import { CircuitBreaker, UpstreamBlockedError } from '../../../../src/datasources/wecom/CircuitBreaker.js';

const PATH = '/cgi-bin/chatdata/sync_msg';

function breaker(start = Date.UTC(2025, 0, 1, 10, 0, 30), rateLimitBlockMs?: number) {
  const clock = { now: start };
  const b = new CircuitBreaker({
    failures: 3,
    failureRatePercent: 50,
    minCalls: 10,
    windowMs: 30_000,
    cooldownMs: 5_000,
    ...(rateLimitBlockMs === undefined ? {} : { rateLimitBlockMs }),
    now: () => clock.now,
  });
  return { b, clock };
}

function blocked(fn: () => void): UpstreamBlockedError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UpstreamBlockedError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures, fails fast naming the path, probes once after the cooldown', () => {
    const { b, clock } = breaker();
    for (let i = 0; i < 2; i++) b.record('corpA', PATH, 'failure');
    expect(() => b.check('corpA', PATH)).not.toThrow();
    b.record('corpA', PATH, 'failure');
    const error = blocked(() => b.check('corpA', PATH));
    expect(error).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      path: PATH,
      retryable: true,
      retryAfterSeconds: 5,
    });
    expect(error.message).toContain(PATH);
    expect(error.message).toContain('2025-01-01T10:00:35.000Z');
    // Other corps and other paths are not affected.
    expect(() => b.check('corpB', PATH)).not.toThrow();
    expect(() => b.check('corpA', '/cgi-bin/chatdata/get_rule_list')).not.toThrow();

    clock.now += 5_000;
    expect(() => b.check('corpA', PATH)).not.toThrow(); // the probe
    expect(b.state('corpA', PATH)).toBe('half-open');
    expect(() => b.check('corpA', PATH)).toThrow(UpstreamBlockedError); // only one probe at a time
    b.record('corpA', PATH, 'failure');
    expect(b.state('corpA', PATH)).toBe('open');
    clock.now += 5_000;
    b.check('corpA', PATH);
    b.record('corpA', PATH, 'ok');
    expect(b.state('corpA', PATH)).toBe('closed');
    expect(() => b.check('corpA', PATH)).not.toThrow();
  });

  it('opens on the failure share of the window even without a streak', () => {
    const { b } = breaker();
    for (let i = 0; i < 10; i++) b.record('c', PATH, i % 2 === 1 ? 'failure' : 'ok');
    expect(b.state('c', PATH)).toBe('open');
  });

  it('does not open on non-retryable answers (recorded as ok) and forgets failures outside the window', () => {
    const { b, clock } = breaker();
    b.record('c', PATH, 'failure');
    b.record('c', PATH, 'failure');
    b.record('c', PATH, 'ok');
    b.record('c', PATH, 'failure');
    b.record('c', PATH, 'failure');
    expect(b.state('c', PATH)).toBe('closed');
    clock.now += 60_000;
    b.record('c', PATH, 'failure');
    expect(b.state('c', PATH)).toBe('open'); // streak of 3
  });

  // WeCom's 45009 block lasts 60 s from the hit (docs/upstream.md §8.8). The old breaker blocked to the
  // next clock hour on a second 45009: two in a row froze a corp for 28 minutes (issue 11).
  it('45009 blocks the corp+path for 60 s from each hit, and two in a row never grow into an hour', () => {
    const { b, clock } = breaker(Date.UTC(2025, 0, 1, 10, 0, 30));
    b.record('c', PATH, 'rate-limited');
    const first = blocked(() => b.check('c', PATH));
    expect(first).toMatchObject({ code: 'RATE_LIMITED', retryable: false, retryAfterSeconds: 60 });
    expect(first.message).toContain('2025-01-01T10:01:30.000Z');
    expect(() => b.check('other', PATH)).not.toThrow();
    clock.now += 59_999;
    expect(() => b.check('c', PATH)).toThrow();
    clock.now += 1;
    expect(() => b.check('c', PATH)).not.toThrow();
    b.record('c', PATH, 'rate-limited');
    const second = blocked(() => b.check('c', PATH));
    expect(second.retryAfterSeconds).toBe(60);
    expect(second.message).toContain('2025-01-01T10:02:30.000Z');
    clock.now += 60_000;
    expect(() => b.check('c', PATH)).not.toThrow();
  });

  it('takes the block length from its options', () => {
    const { b } = breaker(0, 2_000);
    b.record('c', PATH, 'rate-limited');
    expect(blocked(() => b.check('c', PATH)).retryAfterSeconds).toBe(2);
  });
});
