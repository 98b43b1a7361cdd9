import { ask, type Child } from '../processes.js';
import type { SubscriberPools } from '../subscriberPools.js';
import type { FanoutLevel, Memory } from './fanout.js';
import { measureRounds } from './measureRounds.js';

/** A gateway level's figures, less its absolute memory, plus the size of the frame sent. */
export type BareFanoutLevel = Omit<FanoutLevel, 'memory'> & {
  /** Bytes of the one frame sent to everyone (the gateway's frame length). */
  frameBytes: number;
};

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
    const sampleMemory = () => ask<Memory>(server, { type: 'memory' });
    const {
      memory: _absolute,
      frameBytes: _received,
      ...measured
    } = await measureRounds({
      pools,
      send,
      rounds: opts.rounds,
      opened,
      idle,
      memory: [await sampleMemory()],
      sampleMemory,
    });
    const level: BareFanoutLevel = { ...measured, frameBytes: opts.frameBytes };
    const s = level;
    console.log(
      `  bare ws ${open}: p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, ${s.receivedFrames}/${s.expectedFrames} frames ` +
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
