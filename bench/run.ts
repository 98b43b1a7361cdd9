import { execFileSync, execSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { buildCompiled, removeCompiled } from './buildCompiled.js';
import { pickSearchWord } from './operations.js';
import { BenchPostgres } from './postgresTools.js';
import { type Child, forkTs, freePort, ROOT, spawnTs, waitHttpOk } from './processes.js';
import { BenchRedis } from './redisTools.js';
import { type BenchResults, evaluateGoals, renderMarkdown } from './report.js';
import { type AmplificationResult, runAmplification } from './scenarios/amplification.js';
import { compareToBare, runBareFanout } from './scenarios/bareFanout.js';
import { type FanoutResult, runFanout } from './scenarios/fanout.js';
import { type IngestResult, runIngest } from './scenarios/ingest.js';
import { type OverheadResult, runOverhead } from './scenarios/overhead.js';
import { runTokenColdStart, type TokenRun } from './scenarios/tokens.js';
import { runTracing, startOtlpSink, TRACING_SAMPLER, type TracingResult } from './scenarios/tracing.js';
import { type Gateway, simApi, startGateway, startSimulator, waitArchived } from './stack.js';
import type { ArchiveFigures } from './statisticsQuery.js';
import { SubscriberPools } from './subscriberPools.js';
import { median } from './summarize.js';

/**
 * `npm run bench [-- --quick] [-- --only=fanout,ingest]`: starts Redis-backed gateway processes,
 * the simulator process, a bare yoga server, a load-generator process and subscriber-pool
 * processes; runs every scenario of issue 6; writes bench/results/<timestamp>.json and
 * BENCHMARKS.md. `--quick` is a smoke run; `--only` runs some scenarios (overhead, amplification,
 * fanout, ingest, tokens, startup) and, like `--quick`, leaves BENCHMARKS.md alone.
 */
const SCENARIOS = [
  'overhead',
  'amplification',
  'fanout',
  'ingest',
  'tokens',
  'startup',
  'archive',
  'tracing',
] as const;
type Scenario = (typeof SCENARIOS)[number];
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = onlyArg ? new Set(onlyArg.split(',').map((s) => s.trim())) : null;
for (const name of only ?? []) {
  if (!SCENARIOS.includes(name as Scenario)) {
    throw new Error(`--only: unknown scenario "${name}" (known: ${SCENARIOS.join(', ')})`);
  }
}
const runs = (s: Scenario): boolean => only === null || only.has(s);
const quick = process.argv.includes('--quick');
const partial = quick || only !== null;
const P = quick
  ? {
      runs: 1,
      durationMs: 2000,
      warmupMs: 500,
      connections: 32,
      fanout: [500, 1000],
      rounds: 3,
      ingestRuns: 1,
      ingestPerRun: 6000,
      tokenRuns: 1,
      perReplica: 500,
    }
  : {
      runs: 3,
      durationMs: 5000,
      warmupMs: 1000,
      connections: 32,
      fanout: [1000, 5000, 10_000],
      rounds: 10,
      ingestRuns: 3,
      ingestPerRun: 30_000,
      tokenRuns: 3,
      perReplica: 500,
    };

// `--fanout=2000,10000` replaces the subscriber levels (for a quick look at one level).
const fanoutArg = process.argv.find((a) => a.startsWith('--fanout='))?.slice('--fanout='.length);
if (fanoutArg) P.fanout = fanoutArg.split(',').map(Number);

const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const prefix = `bench:${stamp}:`;
const schema = `bench_${stamp.replace(/-/g, '_').toLowerCase()}`;
const children = new Set<Child>();
const track = <T extends Child | Gateway>(c: T): T => {
  children.add('child' in c ? c.child : c);
  return c;
};
const startup: number[] = [];
// e.g. BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the measured gateways.
const nodeArgs = process.env['BENCH_GATEWAY_NODE_ARGS']?.split(/\s+/).filter(Boolean) ?? [];

async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => c.stop()));
  children.clear();
}

async function stopGateway(gateway: Gateway): Promise<void> {
  await gateway.child.stop();
  children.delete(gateway.child);
}

/** A measured gateway process on the bench's Redis prefix and schema. */
async function launch(port: number, simUrl: string, compiledMain?: string): Promise<Gateway> {
  const options = { port, simUrl, redisUrl, prefix, databaseUrl: db.url, nodeArgs };
  return track(await startGateway(compiledMain ? { ...options, compiledMain } : options));
}

async function restart(gateway: Gateway, simUrl: string): Promise<Gateway> {
  await stopGateway(gateway);
  const next = await launch(gateway.port, simUrl);
  startup.push(next.readyMs);
  return next;
}

const db = new BenchPostgres(databaseUrl, schema);

async function main(): Promise<void> {
  const redis = new BenchRedis(redisUrl, prefix);
  try {
    await redis.connect();
  } catch (error) {
    throw new Error(
      `Redis at ${redisUrl} is unreachable (${(error as Error).message}); start it: redis-server --daemonize yes`,
    );
  }
  try {
    await db.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL at ${databaseUrl} is unreachable (${(error as Error).message}); start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
    );
  }
  const began = Date.now();
  const loadBefore = loadavg()[0]!;
  console.log(`bench ${quick ? '(quick) ' : ''}prefix ${prefix}`);
  const [simPort, gwPort, gw2Port, gw3Port, helloPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const simUrl = `http://127.0.0.1:${simPort}`;
  const sim = simApi(simUrl);
  try {
    // The first gateway needs the simulator for /ready, the simulator needs the gateway for its
    // callbacks: gateway listening first, then the simulator, then ready.
    let gateway = track(
      await startGateway({
        port: gwPort,
        simUrl,
        redisUrl,
        prefix,
        databaseUrl: db.url,
        waitPath: '/health',
        nodeArgs,
      }),
    );
    track(await startSimulator({ port: simPort, callbackUrl: `${gateway.url}/wecom/callback` }));
    await waitHttpOk(`${gateway.url}/ready`, performance.now(), 30_000, gateway.child);
    const corps = await waitArchived(gateway.url, sim);
    const corpIds = corps.map((c) => c.corpId);
    const corpId = corpIds[0]!;
    const groups = corps[0]!.chats.filter((c) => c.type === 'group' && c.name).map((c) => c.name!);
    const search = pickSearchWord(groups);
    console.log(`corps ${corpIds.join(', ')}; nested query searches "${search.word}"`);

    /** What every closed-loop scenario needs; `gateway` is read when called (restarts replace it). */
    const loadSetup = (loadgen: Child) => ({
      loadgen,
      gatewayUrl: gateway.url,
      sim,
      corpId,
      searchWord: search.word,
      runs: P.runs,
      durationMs: P.durationMs,
      warmupMs: P.warmupMs,
      connections: P.connections,
    });
    let overhead: OverheadResult[] = [];
    let amplification: AmplificationResult[] = [];
    if (runs('overhead') || runs('amplification')) {
      const hello = track(spawnTs('bench/helloServer.ts', { PORT: String(helloPort) }, 'hello'));
      const helloUrl = `http://127.0.0.1:${helloPort}/graphql`;
      await waitHttpOk(`${helloUrl}?query=%7Bhello%7D`, performance.now(), 30_000, hello);
      const loadgen = track(forkTs('bench/loadgen.ts'));
      const setup = { ...loadSetup(loadgen), helloUrl };
      if (runs('overhead')) {
        console.log('1. gateway overhead (simulator latency 0 and 30 ms)');
        overhead = [await runOverhead(setup, 0, quick ? 0 : 5000), await runOverhead(setup, 30)];
      }
      if (runs('amplification')) {
        console.log('2. upstream amplification');
        amplification = [
          await runAmplification(setup, sim, 'nested', 20),
          await runAmplification(setup, sim, 'overview', 20),
          await runAmplification(setup, sim, 'page', 20),
        ];
        for (const a of amplification) {
          console.log(
            `  ${a.op}: ${a.totalPerRequest.toFixed(2)} calls/request for ${a.distinctKeys} distinct keys`,
          );
        }
      }
      await loadgen.stop();
      await hello.stop();
    }

    let tracing: TracingResult | null = null;
    if (runs('tracing')) {
      console.log('8. tracing cost (gateways exporting every span, and sampling 1 in 10, over OTLP/HTTP)');
      const sinks = { on: await startOtlpSink(), sampled: await startOtlpSink() };
      const tracedGateway = (port: number, sink: { url: string }, env: Record<string, string>) =>
        startGateway({
          port,
          simUrl,
          redisUrl,
          prefix,
          databaseUrl: db.url,
          env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'bench-traced', ...env },
          readyTimeoutMs: 120_000,
        });
      const traced = track(await tracedGateway(gw2Port, sinks.on, {}));
      const sampled = track(await tracedGateway(gw3Port, sinks.sampled, { ...TRACING_SAMPLER }));
      const loadgen = track(forkTs('bench/loadgen.ts'));
      tracing = await runTracing({
        ...loadSetup(loadgen),
        tracedUrl: traced.url,
        sampledUrl: sampled.url,
        ops: ['overview', 'page'],
      });
      await loadgen.stop();
      for (const g of [traced, sampled]) {
        await g.child.stop();
        children.delete(g.child);
      }
      tracing.spans = { ...sinks.on.stats };
      tracing.sampledSpans = { ...sinks.sampled.stats };
      await sinks.on.close();
      await sinks.sampled.close();
      for (const [op, r] of Object.entries(tracing.ops)) {
        console.log(
          `  ${op}: off ${Math.round(r.off.rps)} rps p99 ${r.off.p99.toFixed(1)} ms; on ${Math.round(r.on.rps)} rps p99 ${r.on.p99.toFixed(1)} ms (${r.ratio.toFixed(2)}); ` +
            `sampled ${Math.round(r.sampled!.rps)} rps p99 ${r.sampled!.p99.toFixed(1)} ms (${r.sampledRatio!.toFixed(2)})`,
        );
      }
      for (const [side, stats] of [
        ['every span', tracing.spans],
        [tracing.sampler, tracing.sampledSpans],
      ] as const) {
        console.log(`  OTLP sink (${side}): ${stats.requests} exports, ${(stats.bytes / 1e6).toFixed(1)} MB`);
      }
    }

    let fanout: FanoutResult = { baseline: { rssBytes: 0, heapUsedBytes: 0 }, levels: [], frameBytes: 0 };
    if (runs('fanout')) {
      console.log('3. fan-out (fresh gateway process)');
      gateway = await restart(gateway, simUrl);
      await waitArchived(gateway.url, sim);
      const children = [track(forkTs('bench/subscribers.ts')), track(forkTs('bench/subscribers.ts'))];
      const pools = new SubscriberPools(children);
      fanout = await runFanout({ gateway, pools, sim, corpId, levels: P.fanout, rounds: P.rounds });
      console.log('3b. fan-out baseline: bare ws broadcast, same clients');
      const bareServer = track(forkTs('bench/bareFanoutServer.ts'));
      const bare = await runBareFanout({
        server: bareServer,
        pools,
        levels: P.fanout,
        rounds: P.rounds,
        frameBytes: fanout.frameBytes,
      });
      fanout = { ...fanout, bare, vsBare: compareToBare(fanout.levels, bare) };
      for (const c of fanout.vsBare ?? []) {
        console.log(
          `  p99 at ${c.subscribers}: gateway ${c.p99.toFixed(1)} ms, bare ws ${c.bareP99.toFixed(1)} ms, ${c.ratio.toFixed(2)}×`,
        );
      }
      await bareServer.stop();
      await Promise.all(children.map((p) => p.stop()));
    }

    let ingest: IngestResult = {
      runs: [],
      medianMessagesPerSecond: Number.NaN,
      diskBytesPerMessage: Number.NaN,
      diskBytesPerMessageOverall: Number.NaN,
    };
    if (runs('ingest')) {
      console.log('4. ingest (fresh gateway process)');
      gateway = await restart(gateway, simUrl);
      await waitArchived(gateway.url, sim);
      ingest = await runIngest({
        sim,
        db,
        corpIds,
        runs: P.ingestRuns,
        perRun: P.ingestPerRun,
        stopGateway: () => stopGateway(gateway),
        startGateway: async () => {
          gateway = await launch(gateway.port, simUrl);
          return gateway;
        },
      });
    }

    const tokens: TokenRun[] = [];
    if (runs('tokens')) {
      console.log('5. token single-flight (2 fresh replicas, cold tokens)');
      gateway = await restart(gateway, simUrl);
      const second = track(
        await startGateway({ port: gw2Port, simUrl, redisUrl, prefix, databaseUrl: db.url }),
      );
      startup.push(second.readyMs);
      for (let run = 0; run < P.tokenRuns; run++) {
        const t = await runTokenColdStart({
          replicas: [gateway, second],
          sim,
          redis,
          corpIds,
          perReplica: P.perReplica,
        });
        console.log(
          `  run ${run + 1}: ${t.requests} requests (${t.failed} failed) → get_corp_token ${t.corpTokenCalls} for ${t.corps} corps, get_suite_token ${t.suiteTokenCalls}`,
        );
        tokens.push(t);
      }
    }

    let startupCompiled: number[] | null = null;
    if (runs('startup')) {
      console.log('6. start-up (spawn → /ready 200)');
      for (let i = startup.length; i < (quick ? 2 : 5); i++) gateway = await restart(gateway, simUrl);
      console.log(
        `  tsx: ${startup.map((s) => Math.round(s)).join(', ')} ms, median ${Math.round(median(startup))} ms`,
      );
      if (!quick) {
        const compiledMain = buildCompiled();
        if (compiledMain) {
          startupCompiled = [];
          for (let i = 0; i < 3; i++) {
            await stopGateway(gateway);
            gateway = await launch(gateway.port, simUrl, compiledMain);
            startupCompiled.push(gateway.readyMs);
          }
          console.log(
            `  compiled: ${startupCompiled.map((s) => Math.round(s)).join(', ')} ms, median ${Math.round(median(startupCompiled))} ms`,
          );
        }
      }
    }

    let archive: ArchiveFigures | null = null;
    if (runs('archive')) {
      console.log(
        '7. archive: statistics over 1,000,000 messages of one corp, bytes on disk, retention drop',
      );
      await stopAll();
      const out = `${ROOT}/bench/results/.archive-${stamp}.json`;
      mkdirSync(`${ROOT}/bench/results`, { recursive: true });
      execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          'bench/statisticsQuery.ts',
          `--messages=${quick ? 100_000 : 1_000_000}`,
          `--json=${out}`,
        ],
        { cwd: ROOT, stdio: 'inherit', env: { ...process.env, DATABASE_URL: databaseUrl } },
      );
      archive = JSON.parse(readFileSync(out, 'utf8')) as ArchiveFigures;
      rmSync(out, { force: true });
    }

    const results: BenchResults = {
      date: new Date().toISOString(),
      quick,
      durationS: (Date.now() - began) / 1000,
      machine: {
        nproc: Number(execSync('nproc').toString().trim()),
        cpu: cpus()[0]?.model ?? 'unknown',
        memoryGiB: totalmem() / 2 ** 30,
        node: process.version,
        redis: /redis_version:(\S+)/.exec(await redis.redis.info('server'))?.[1] ?? 'unknown',
        postgres: await db.version(),
        loadAverage: { before: loadBefore, after: loadavg()[0]! },
      },
      params: P,
      searchWord: search.word,
      overhead,
      amplification,
      fanout,
      ingest,
      tokens,
      startupMs: startup,
      startupCompiledMs: startupCompiled,
      archive,
      tracing,
      goals: [],
    };
    // Goals need every scenario; a partial run prints what it measured and keeps the JSON.
    if (only === null) results.goals = evaluateGoals(results);
    mkdirSync(`${ROOT}/bench/results`, { recursive: true });
    const jsonPath = `bench/results/${stamp}.json`;
    writeFileSync(`${ROOT}/${jsonPath}`, `${JSON.stringify(results, null, 2)}\n`);
    // A smoke run keeps BENCHMARKS.md as it is; its JSON can still be rendered with bench/render.ts.
    if (!partial) writeFileSync(`${ROOT}/BENCHMARKS.md`, renderMarkdown(results, jsonPath));
    console.log(
      `wrote ${jsonPath}${partial ? '' : ' and BENCHMARKS.md'} in ${Math.round(results.durationS)} s`,
    );
    for (const g of results.goals) console.log(`  ${g.met ? 'MET  ' : 'UNMET'} ${g.goal}: ${g.measured}`);
  } finally {
    await stopAll();
    removeCompiled();
    await redis.purge();
    await redis.close();
    await db.drop();
    await db.close();
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping children and purging ${prefix}`);
    void stopAll()
      .then(async () => {
        const redis = new BenchRedis(redisUrl, prefix);
        await redis.connect();
        await redis.purge();
        await redis.close();
        await db.drop().catch(() => undefined);
      })
      .finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
