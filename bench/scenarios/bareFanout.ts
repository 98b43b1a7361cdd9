import { ask, type Child } from '../processes.js';
import type { SubscriberPools } from '../subscriberPools.js';
import { median, summarize } from '../summarize.js';
import type { FanoutLevel, Memory } from './fanout.js';

export type BareFanoutLevel = {
  subscribers: number;
  connectFailures: number;
  firstFailure: string | null;
  rounds: number;
  expectedFrames: number;
  receivedFrames: number;
  /** ms from the broadcast request to the frame at the client. */
  p50: number;
  p99: number;
  max: number;
  medianRoundP99: number;
  /** Bytes of the one frame sent to everyone (the gateway's frame length). */
  frameBytes: number;
  rssPerSubscriberBytes: number;
  heapPerSubscriberBytes: number;
};

const lowest = (samples: Memory[]): Memory => ({
  rssBytes: Math.min(...samples.map((m) => m.rssBytes)),
  heapUsedBytes: Math.min(...samples.map((m) => m.heapUsedBytes)),
});

/**
 * The lower bound of fan-out on this machine: the same subscriber pools, levels and rounds as
 * runFanout, against a bare `ws` server process (bench/bareFanoutServer.ts) that sends one
 * pre-encoded `next` frame of the gateway's length to every subscriber per round. Run after the
 * gateway's levels, in the same bench run, so both see the same machine.
 */
export async function runBareFanout(opts: {
  server: Child;
  pools: SubscriberPools;
  levels: number[];
  rounds: number;
  frameBytes: number;
}): Promise<BareFanoutLevel[]> {
  const { server, pools } = opts;
  const url = await ask<string>(server, { type: 'url' });
  const idle = await ask<Memory>(server, { type: 'memory' });
  let n = 0;
  const send = async () => {
    const msgid = `bare-${++n}`;
    await ask(server, { type: 'broadcast', msgid, bytes: opts.frameBytes });
    return msgid;
  };
  const levels: BareFanoutLevel[] = [];
  let open = 0;
  for (const target of opts.levels) {
    const opened = await pools.open({ url, key: '', query: '', variables: {} }, target, open);
    open = opened.open;
    await pools.round(send, 60_000);
    const memory: Memory[] = [await ask<Memory>(server, { type: 'memory' })];
    const samples: number[] = [];
    const roundP99: number[] = [];
    let expectedFrames = 0;
    for (let r = 0; r < opts.rounds; r++) {
      const { latencies, expected } = await pools.round(send, 30_000);
      samples.push(...latencies);
      expectedFrames += expected;
      roundP99.push(summarize(latencies).p99);
      memory.push(await ask<Memory>(server, { type: 'memory' }));
    }
    const s = summarize(samples);
    const low = lowest(memory);
    const level: BareFanoutLevel = {
      subscribers: open,
      connectFailures: opened.failures,
      firstFailure: opened.firstFailure,
      rounds: opts.rounds,
      expectedFrames,
      receivedFrames: samples.length,
      p50: s.p50,
      p99: s.p99,
      max: s.max,
      medianRoundP99: median(roundP99),
      frameBytes: opts.frameBytes,
      rssPerSubscriberBytes: (low.rssBytes - idle.rssBytes) / open,
      heapPerSubscriberBytes: (low.heapUsedBytes - idle.heapUsedBytes) / open,
    };
    console.log(
      `  bare ws ${open}: p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, ${samples.length}/${expectedFrames} frames ` +
        `of ${opts.frameBytes} B, ${Math.round(level.rssPerSubscriberBytes)} B RSS per subscriber`,
    );
    levels.push(level);
  }
  await pools.close();
  return levels;
}

export type FanoutVsBare = { subscribers: number; p99: number; bareP99: number; ratio: number };

/** Gateway p99 over bare-ws p99, level by level (the goal: ≤ 1.5× at 10k). */
export function compareToBare(levels: FanoutLevel[], bare: BareFanoutLevel[]): FanoutVsBare[] {
  return levels.flatMap((l, i) => {
    const b = bare[i];
    return b ? [{ subscribers: l.subscribers, p99: l.p99, bareP99: b.p99, ratio: l.p99 / b.p99 }] : [];
  });
}
