import type { Opened, SubscriberPools } from '../subscriberPools.js';
import { median, summarize } from '../summarize.js';
import { type FanoutLevel, lowest, type Memory } from './fanout.js';

/**
 * The measured part of one fan-out level, for the gateway and the bare baseline alike: `rounds`
 * single messages timed end to end, server memory sampled after each (plus `memory`, taken
 * after the warm-up), and the lowest sample net of `idle`, per subscriber.
 */
export async function measureRounds(o: {
  pools: SubscriberPools;
  send: () => Promise<string>;
  rounds: number;
  opened: Opened;
  idle: Memory;
  memory: Memory[];
  sampleMemory: () => Promise<Memory>;
}): Promise<FanoutLevel & { frameBytes: number }> {
  const samples: number[] = [];
  const roundP99: number[] = [];
  let expectedFrames = 0;
  let frameBytes = 0;
  for (let r = 0; r < o.rounds; r++) {
    const round = await o.pools.round(o.send, 30_000);
    samples.push(...round.latencies);
    expectedFrames += round.expected;
    frameBytes = round.frameBytes;
    roundP99.push(summarize(round.latencies).p99);
    o.memory.push(await o.sampleMemory());
  }
  const s = summarize(samples);
  const memory = lowest(o.memory);
  const open = o.opened.open;
  return {
    subscribers: open,
    connectFailures: o.opened.failures,
    firstFailure: o.opened.firstFailure,
    rounds: o.rounds,
    expectedFrames,
    receivedFrames: samples.length,
    p50: s.p50,
    p99: s.p99,
    max: s.max,
    medianRoundP99: median(roundP99),
    memory,
    rssPerSubscriberBytes: (memory.rssBytes - o.idle.rssBytes) / open,
    heapPerSubscriberBytes: (memory.heapUsedBytes - o.idle.heapUsedBytes) / open,
    frameBytes,
  };
}
