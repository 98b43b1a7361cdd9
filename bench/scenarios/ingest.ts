import type { BenchPostgres } from '../postgresTools.js';
import type { SimApi } from '../stack.js';
import { median } from '../summarize.js';

export type IngestRun = {
  messages: number;
  /** First /__sim/messages POST → every message committed in PostgreSQL. */
  seconds: number;
  messagesPerSecond: number;
  /** How long the simulator took to create them (its own share of the time). */
  simCreateSeconds: number;
  /** Last POST answered → index complete: the pipeline's tail. */
  tailMs: number;
};
export type IngestResult = {
  runs: IngestRun[];
  medianMessagesPerSecond: number;
  /** The same runs with the simulator's own time to create the messages taken out. */
  medianPipelineMessagesPerSecond: number;
  /** Archive bytes on disk (every partition, table + indexes), after − before, per message added. */
  diskBytesPerMessage: number;
  /** Archive bytes on disk / every archived message (steady state, backlog included). */
  diskBytesPerMessageOverall: number;
};

const BATCH = 1000; // the simulator's maximum per POST

/**
 * Callback → committed rows on one gateway process: `perRun` messages created in the simulator
 * in batches of 1000 (each batch fires conversation_new_message at once), one chain of POSTs per
 * corp, timed until PostgreSQL holds all of them (the corps' seq counters, polled).
 */
export async function runIngest(opts: {
  sim: SimApi;
  db: BenchPostgres;
  corpIds: string[];
  runs: number;
  perRun: number;
}): Promise<IngestResult> {
  const { sim, db, corpIds } = opts;
  const bytesBefore = await db.archiveBytes();
  const runs: IngestRun[] = [];
  let added = 0;
  for (let run = 0; run < opts.runs; run++) {
    const perCorp = Math.ceil(opts.perRun / corpIds.length / BATCH) * BATCH;
    const targets = new Map<string, number>();
    for (const id of corpIds) targets.set(id, (await db.indexed(id)) + perCorp);
    const t0 = performance.now();
    let dropped = 0;
    await Promise.all(
      corpIds.map(async (corpId) => {
        for (let sent = 0; sent < perCorp; sent += BATCH) {
          const res = await sim.post<{ dropped: number }>('/__sim/messages', { corpId, count: BATCH });
          dropped += res.dropped;
        }
      }),
    );
    if (dropped > 0) throw new Error(`the simulator dropped ${dropped} messages (no key?)`);
    const posted = performance.now();
    const deadline = posted + 120_000;
    for (;;) {
      const counts = await Promise.all(corpIds.map((id) => db.indexed(id)));
      if (counts.every((n, i) => n >= targets.get(corpIds[i]!)!)) break;
      if (performance.now() > deadline) throw new Error(`ingest did not finish within 120 s: ${counts}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const done = performance.now();
    const messages = perCorp * corpIds.length;
    added += messages;
    const result: IngestRun = {
      messages,
      seconds: (done - t0) / 1000,
      messagesPerSecond: messages / ((done - t0) / 1000),
      simCreateSeconds: (posted - t0) / 1000,
      tailMs: done - posted,
    };
    console.log(
      `  ingest run ${run + 1}: ${messages} messages in ${result.seconds.toFixed(2)} s = ${Math.round(result.messagesPerSecond)} msg/s ` +
        `(simulator created them in ${result.simCreateSeconds.toFixed(2)} s, tail ${Math.round(result.tailMs)} ms)`,
    );
    runs.push(result);
  }
  const bytesAfter = await db.archiveBytes();
  let indexed = 0;
  for (const id of corpIds) indexed += await db.indexed(id);
  return {
    runs,
    medianMessagesPerSecond: median(runs.map((r) => r.messagesPerSecond)),
    medianPipelineMessagesPerSecond: Number.NaN,
    diskBytesPerMessage: (bytesAfter - bytesBefore) / added,
    diskBytesPerMessageOverall: bytesAfter / indexed,
  };
}
