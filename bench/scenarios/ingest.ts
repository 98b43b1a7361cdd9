import type { BenchPostgres } from '../postgresTools.js';
import type { SimApi } from '../stack.js';
import { median } from '../summarize.js';

export type IngestRun = {
  messages: number;
  /** First row committed → every message committed in PostgreSQL (the gateway's own time). */
  seconds: number;
  messagesPerSecond: number;
  /** How long the simulator took to create them (not part of `seconds`). */
  simCreateSeconds: number;
  /** Gateway spawn → the first row committed (process start, migrations check, first page). */
  startMs: number;
  /**
   * The last row committed → the statistics folded up to it for every corp (they fold after the
   * drain, STATS_MAX_LAG_S); the next run waits for it. Absent in results recorded before.
   */
  statsLagMs?: number;
};
export type IngestResult = {
  runs: IngestRun[];
  medianMessagesPerSecond: number;
  /** Archive bytes on disk (every partition, table + indexes), after − before, per message added. */
  diskBytesPerMessage: number;
  /** Archive bytes on disk / every archived message (steady state, backlog included). */
  diskBytesPerMessageOverall: number;
};

const BATCH = 1000; // the simulator's maximum per POST

/**
 * sync_msg → committed rows on one gateway process, with the simulator's own time to create the
 * messages kept out: the gateway is stopped, `perRun` messages are created in the simulator
 * (1000 per POST; their callbacks find no one), then a fresh gateway process starts and catches
 * every corp up from its stored cursor at once (the same sync loop a callback runs). Timed from
 * the first committed row to the last, polling the corps' seq counters in PostgreSQL.
 */
export async function runIngest(opts: {
  sim: SimApi;
  db: BenchPostgres;
  corpIds: string[];
  runs: number;
  perRun: number;
  stopGateway(): Promise<void>;
  startGateway(): Promise<unknown>;
}): Promise<IngestResult> {
  const { sim, db, corpIds } = opts;
  const bytesBefore = await db.archiveBytes();
  const runs: IngestRun[] = [];
  let added = 0;
  for (let run = 0; run < opts.runs; run++) {
    const perCorp = Math.ceil(opts.perRun / corpIds.length / BATCH) * BATCH;
    const baseline = new Map<string, number>();
    for (const id of corpIds) baseline.set(id, await db.indexed(id));
    await opts.stopGateway();
    const t0 = performance.now();
    await Promise.all(
      corpIds.map(async (corpId) => {
        for (let sent = 0; sent < perCorp; sent += BATCH) {
          const res = await sim.post<{ dropped: number }>('/__sim/messages', { corpId, count: BATCH });
          if (res.dropped > 0) throw new Error(`the simulator dropped ${res.dropped} messages (no key?)`);
        }
      }),
    );
    const created = performance.now();
    const spawned = performance.now();
    let first = Number.NaN;
    const polled = (async () => {
      const deadline = spawned + 180_000;
      for (;;) {
        const counts = await Promise.all(corpIds.map((id) => db.indexed(id)));
        const now = performance.now();
        if (Number.isNaN(first) && counts.some((n, i) => n > baseline.get(corpIds[i]!)!)) first = now;
        if (counts.every((n, i) => n >= baseline.get(corpIds[i]!)! + perCorp)) return now;
        if (now > deadline) throw new Error(`ingest did not finish within 180 s: ${counts}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const [done] = await Promise.all([polled, opts.startGateway()]);
    const folded = await waitFolded(db, corpIds);
    const messages = perCorp * corpIds.length;
    added += messages;
    const result: IngestRun = {
      messages,
      seconds: (done - first) / 1000,
      messagesPerSecond: messages / ((done - first) / 1000),
      simCreateSeconds: (created - t0) / 1000,
      startMs: first - spawned,
      statsLagMs: folded - done,
    };
    console.log(
      `  ingest run ${run + 1}: ${messages} messages committed in ${result.seconds.toFixed(2)} s = ${Math.round(result.messagesPerSecond)} msg/s ` +
        `(simulator created them in ${result.simCreateSeconds.toFixed(2)} s; spawn → first row ${Math.round(result.startMs)} ms; ` +
        `statistics folded ${Math.round(folded - done)} ms after the last row)`,
    );
    runs.push(result);
  }
  const bytesAfter = await db.archiveBytes();
  let indexed = 0;
  for (const id of corpIds) indexed += await db.indexed(id);
  return {
    runs,
    medianMessagesPerSecond: median(runs.map((r) => r.messagesPerSecond)),
    diskBytesPerMessage: (bytesAfter - bytesBefore) / added,
    diskBytesPerMessageOverall: bytesAfter / indexed,
  };
}

/** When every corp's statistics have folded everything archived (performance.now()); bounded. */
async function waitFolded(db: BenchPostgres, corpIds: readonly string[]): Promise<number> {
  const deadline = performance.now() + 180_000;
  for (;;) {
    const behind = await Promise.all(
      corpIds.map(async (id) => (await db.statsFolded(id)) < (await db.indexed(id))),
    );
    if (!behind.some(Boolean)) return performance.now();
    if (performance.now() > deadline) throw new Error('statistics did not catch up within 180 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}
