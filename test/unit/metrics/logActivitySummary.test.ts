import { Counter } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../../src/logging/Logger.js';
import { logActivitySummary } from '../../../src/metrics/logActivitySummary.js';

type Line = { level: string; obj: Record<string, unknown>; msg: string | undefined };

/** Counters of the same names and labels as GatewayMetrics', registered nowhere. */
function counters() {
  const counter = (name: string, labelNames: string[]) =>
    new Counter({ name, help: name, labelNames, registers: [] });
  return {
    graphqlRequests: counter('requests', ['operation', 'transport', 'outcome']),
    upstreamCalls: counter('upstream', ['path', 'result']),
    corpsAuthorized: counter('authorized', ['app']),
  };
}

describe('logActivitySummary', () => {
  const lines: Line[] = [];
  const at = (level: string) => (obj: object, msg?: string) => {
    lines.push({ level, obj: obj as Record<string, unknown>, msg });
  };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  const seqs = new Map([
    ['wwA', 10],
    ['wwB', 5],
  ]);
  let failList = false;
  const corps = {
    list: async () => {
      if (failList) throw new Error('store down');
      return [...seqs.keys()].map((corpId) => ({ corpId }) as never);
    },
  };
  const lastSeq = async (corpId: string) => seqs.get(corpId) ?? 0;

  beforeEach(() => {
    vi.useFakeTimers();
    lines.length = 0;
    failList = false;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('one info line per period with what happened in it; nothing for a quiet period', async () => {
    const c = counters();
    c.graphqlRequests.inc({ operation: 'Old', transport: 'http', outcome: 'ok' }, 7);
    c.corpsAuthorized.inc({ app: 'archive' }, 3);
    const stop = logActivitySummary({ logger, corps, lastSeq, ...c }, 60);
    // The first look is the baseline: what came before the gateway's first period is not reported.
    await vi.advanceTimersByTimeAsync(0);
    expect(lines).toEqual([]);

    seqs.set('wwA', 14);
    c.graphqlRequests.inc({ operation: 'Q', transport: 'http', outcome: 'ok' }, 2);
    c.graphqlRequests.inc({ operation: 'Q', transport: 'ws', outcome: 'FORBIDDEN' });
    c.upstreamCalls.inc({ path: '/x', result: 'ok' }, 4);
    c.upstreamCalls.inc({ path: '/x', result: '45009' });
    c.corpsAuthorized.inc({ app: 'display' }, 2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lines).toEqual([
      {
        level: 'info',
        obj: {
          periodS: 60,
          messagesIndexed: 4,
          indexed: { wwA: 4 },
          operations: 3,
          upstreamCalls: 5,
          upstreamErrors: 1,
          authorized: { display: 2 },
        },
        msg: 'activity',
      },
    ]);

    await vi.advanceTimersByTimeAsync(60_000);
    expect(lines).toHaveLength(1);
    stop();
    seqs.set('wwB', 9);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(lines).toHaveLength(1);
  });

  it('a period that could not be read is one warn line, and the next one reports again', async () => {
    const c = counters();
    const stop = logActivitySummary({ logger, corps, lastSeq, ...c }, 10);
    await vi.advanceTimersByTimeAsync(0);
    failList = true;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([['warn', 'activity summary failed']]);
    failList = false;
    c.corpsAuthorized.inc({ app: 'archive' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lines.map((l) => [l.level, l.msg, l.obj['authorized']])).toEqual([
      ['warn', 'activity summary failed', undefined],
      ['info', 'activity', { archive: 1 }],
    ]);
    stop();
  });

  it('interval 0 turns it off', async () => {
    const c = counters();
    const stop = logActivitySummary({ logger, corps, lastSeq, ...c }, 0);
    c.corpsAuthorized.inc({ app: 'archive' });
    await vi.advanceTimersByTimeAsync(600_000);
    expect(lines).toEqual([]);
    stop();
  });
});
