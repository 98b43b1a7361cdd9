import { readFileSync } from 'node:fs';
import { MESSAGE_ADDED } from '../operations.js';
import { BENCH_KEY, type Gateway, type SimApi } from '../stack.js';
import type { SubscriberPools } from '../subscriberPools.js';
import type { BareFanoutLevel, FanoutVsBare } from './bareFanout.js';
import { measureRounds } from './measureRounds.js';

export type Memory = { rssBytes: number; heapUsedBytes: number };
export type FanoutLevel = {
  subscribers: number;
  connectFailures: number;
  firstFailure: string | null;
  rounds: number;
  /** Frames expected vs received over the measured rounds (each subscriber once per message). */
  expectedFrames: number;
  receivedFrames: number;
  /** ms from the /__sim/messages POST (which fires the callback at once) to the frame at the client. */
  p50: number;
  p99: number;
  max: number;
  medianRoundP99: number;
  memory: Memory;
  rssPerSubscriberBytes: number;
  heapPerSubscriberBytes: number;
};
export type FanoutResult = {
  baseline: Memory;
  levels: FanoutLevel[];
  /** Length of the gateway's `next` frame; the bare baseline sends frames this long. */
  frameBytes: number;
  /** The same clients on a bare `ws` broadcaster, same levels and rounds (bench/scenarios/bareFanout.ts). */
  bare?: BareFanoutLevel[];
  /** Gateway p99 / bare p99 per level. */
  vsBare?: FanoutVsBare[];
};

/** Gateway memory: RSS from /proc (the child is node itself), heap from its Prometheus metrics. */
export async function gatewayMemory(gateway: Gateway): Promise<Memory> {
  const status = readFileSync(`/proc/${gateway.child.pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  const heap = Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(metrics)?.[1] ?? Number.NaN);
  return { rssBytes: rssKb * 1024, heapUsedBytes: heap };
}

/** Per field, the lowest of the samples: live memory without the garbage of the last burst. */
export function lowest(samples: Memory[]): Memory {
  return {
    rssBytes: Math.min(...samples.map((m) => m.rssBytes)),
    heapUsedBytes: Math.min(...samples.map((m) => m.heapUsedBytes)),
  };
}

/** One message through the pipeline: the simulator creates it and fires the callback at once. */
function viaSimulator(sim: SimApi, corpId: string): () => Promise<string> {
  return async () => {
    const { msgids } = await sim.post<{ msgids: string[] }>('/__sim/messages', { corpId, count: 1 });
    const msgid = msgids[0];
    if (!msgid) throw new Error('the simulator created no message (is the corp key set?)');
    return msgid;
  };
}

/**
 * N graphql-ws subscribers (in separate pool processes) on one gateway process, all on
 * messageAdded of one corp; levels grow in place (1k → 5k → 10k). Per level: a warm-up message
 * that reaches everyone, then `rounds` single messages, each timed end to end; memory is the
 * lowest sample of the level.
 */
export async function runFanout(opts: {
  gateway: Gateway;
  pools: SubscriberPools;
  sim: SimApi;
  corpId: string;
  levels: number[];
  rounds: number;
}): Promise<FanoutResult> {
  const { gateway, pools, sim, corpId } = opts;
  const idle: Memory[] = [];
  for (let i = 0; i < 5; i++) {
    idle.push(await gatewayMemory(gateway));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const baseline = lowest(idle);
  const levels: FanoutLevel[] = [];
  let open = 0;
  let frameBytes = 0;
  for (const target of opts.levels) {
    const opened = await pools.open(
      {
        url: `${gateway.url.replace(/^http/, 'ws')}/graphql`,
        key: BENCH_KEY,
        query: MESSAGE_ADDED,
        variables: { corpId },
      },
      target,
      open,
    );
    open = opened.open;
    // Warm-up: a message everyone receives proves every subscription is live.
    const send = viaSimulator(sim, corpId);
    const warm = await pools.round(send, 60_000);
    if (warm.latencies.length < warm.expected) {
      console.warn(`  fan-out ${target}: warm-up reached ${warm.latencies.length}/${warm.expected}`);
    }
    // Live memory: the lowest of samples taken after the warm-up and after every round, so garbage
    // a single sample would catch before a GC (it grows with the burst just sent) does not count.
    const memorySamples = [await gatewayMemory(gateway)];
    // BENCH_HOLD_MS=30000: time to take a heap snapshot (SIGUSR2 with --heapsnapshot-signal) at this level.
    const holdMs = Number(process.env['BENCH_HOLD_MS'] ?? 0);
    if (holdMs > 0) {
      console.log(`  holding ${target} subscribers for ${holdMs} ms (gateway pid ${gateway.child.pid})`);
      await new Promise((resolve) => setTimeout(resolve, holdMs));
    }
    const { frameBytes: bytes, ...level } = await measureRounds({
      pools,
      send,
      rounds: opts.rounds,
      opened,
      idle: baseline,
      memory: memorySamples,
      sampleMemory: () => gatewayMemory(gateway),
    });
    frameBytes = bytes;

    console.log(
      `  fan-out ${open}: p50 ${level.p50.toFixed(1)} ms, p99 ${level.p99.toFixed(1)} ms, ${level.receivedFrames}/${level.expectedFrames} frames, ` +
        `${Math.round(level.rssPerSubscriberBytes)} B RSS and ${Math.round(level.heapPerSubscriberBytes)} B heap per subscriber`,
    );
    levels.push(level);
  }
  await pools.close();
  return { baseline, levels, frameBytes };
}
