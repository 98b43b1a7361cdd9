import { existsSync, readFileSync } from 'node:fs';
import { ROOT } from './processes.js';
import type { AmplificationResult } from './scenarios/amplification.js';
import type { FanoutResult } from './scenarios/fanout.js';
import type { IngestResult } from './scenarios/ingest.js';
import { OPS, type OverheadResult } from './scenarios/overhead.js';
import type { TokenRun } from './scenarios/tokens.js';
import type { TracingResult } from './scenarios/tracing.js';
import type { ArchiveFigures } from './statisticsQuery.js';
import { fmt, median } from './summarize.js';

export type Goal = { goal: string; target: string; measured: string; met: boolean };
export type BenchResults = {
  date: string;
  quick: boolean;
  durationS: number;
  machine: {
    nproc: number;
    cpu: string;
    memoryGiB: number;
    node: string;
    redis: string;
    postgres?: string;
    /** 1-minute load average when the run began and ended: other work on the machine skews everything. */
    loadAverage: { before: number; after: number };
  };
  params: Record<string, unknown>;
  searchWord: string;
  overhead: OverheadResult[];
  amplification: AmplificationResult[];
  fanout: FanoutResult;
  ingest: IngestResult;
  tokens: TokenRun[];
  startupMs: number[];
  /** The same with `npm run build` output under plain node (what the Docker image runs); null if not measured. */
  startupCompiledMs?: number[] | null;
  /** Statistics over 1M messages of one corp, bytes on disk, the retention drop (bench/statisticsQuery.ts). */
  archive?: ArchiveFigures | null;
  /** Tracing on against off (`--only=tracing`); null when not measured. */
  tracing?: TracingResult | null;
  goals: Goal[];
};

const OP_LABEL = {
  hello: 'bare graphql-yoga `{ hello }`',
  overview: 'corp overview',
  nested: 'chat → members → consents',
  page: 'message page (index)',
} as const;

export function evaluateGoals(r: BenchResults): Goal[] {
  const pageRatios = r.overhead.map((o) => o.ops.page.ratio);
  const amp = r.amplification.filter((a) => a.distinctKeys > 0);
  const top = r.fanout.levels.at(-1);
  const kb = top ? top.rssPerSubscriberBytes / 1024 : Number.NaN;
  const vsBare = r.fanout.vsBare?.at(-1);
  // The goal is about token fetches; failed requests are reported beside it, not hidden in it.
  const tokenOk = r.tokens.every((t) => t.corpTokenCalls === t.corps && t.suiteTokenCalls <= 1);
  const tokenFailures = r.tokens.reduce((n, t) => n + t.failed, 0);
  const startup = median(r.startupMs);
  const compiled = r.startupCompiledMs?.length ? median(r.startupCompiledMs) : null;
  return [
    {
      goal: 'message page (PostgreSQL) throughput vs bare yoga',
      target: '≥ 0.7×',
      measured: r.overhead.map((o) => `${fmt(o.ops.page.ratio)}× at ${o.simLatencyMs} ms`).join(', '),
      met: pageRatios.every((x) => x >= 0.7),
    },
    {
      goal: 'upstream calls per distinct key',
      target: '≤ 1',
      measured: amp.map((a) => `${a.op} ${fmt(a.ratio)}`).join(', '),
      met: amp.every((a) => a.ratio <= 1),
    },
    {
      goal: `fan-out p99 at ${top?.subscribers ?? 0} subscribers`,
      target: '< 100 ms (10k)',
      measured: top ? `${fmt(top.p99)} ms (${top.receivedFrames}/${top.expectedFrames} frames)` : 'n/a',
      met: !!top && top.subscribers >= 10_000 && top.p99 < 100 && top.receivedFrames >= top.expectedFrames,
    },
    {
      goal: `fan-out p99 at ${top?.subscribers ?? 0} subscribers vs a bare \`ws\` broadcast`,
      target: '≤ 1.5× (10k)',
      measured: vsBare
        ? `${fmt(vsBare.ratio)}× (${fmt(vsBare.p99)} ms vs ${fmt(vsBare.bareP99)} ms)`
        : 'n/a (no baseline in this run)',
      met: !!vsBare && vsBare.subscribers >= 10_000 && vsBare.ratio <= 1.5,
    },
    {
      goal: 'gateway memory per subscriber',
      target: '< 20 KB',
      measured: `${fmt(kb)} KB RSS, ${fmt((top?.heapPerSubscriberBytes ?? Number.NaN) / 1024)} KB heap`,
      met: kb < 20,
    },
    {
      goal: 'ingest, sync_msg → committed rows (PostgreSQL), one process',
      target: '≥ 10,000 msg/s',
      measured: `${fmt(r.ingest.medianMessagesPerSecond)} msg/s`,
      met: r.ingest.medianMessagesPerSecond >= 10_000,
    },
    {
      goal: 'token calls on a cold start, 2 replicas',
      target: '1 per corp',
      measured:
        r.tokens.map((t) => `${t.corpTokenCalls} for ${t.corps} corps`).join('; ') +
        (tokenFailures > 0
          ? ` (${tokenFailures} of ${r.tokens.length * (r.tokens[0]?.requests ?? 0)} requests failed: see §5)`
          : ''),
      met: tokenOk,
    },
    {
      goal: 'start-up, spawn → /ready',
      target: '< 2 s',
      measured:
        compiled === null
          ? `${fmt(startup)} ms median (tsx)`
          : `${fmt(compiled)} ms compiled (Docker image), ${fmt(startup)} ms tsx (npm start)`,
      met: (compiled ?? startup) < 2000,
    },
  ];
}

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

export function renderMarkdown(r: BenchResults, jsonPath: string): string {
  const m = r.machine;
  const out: string[] = [];
  out.push('# Benchmarks', '');
  out.push(
    `Generated by \`npm run bench\` on ${r.date.slice(0, 10)} (${Math.round(r.durationS)} s; raw data: \`${jsonPath}\`).`,
    `Machine: ${m.nproc} cores (${m.cpu}), ${fmt(m.memoryGiB)} GiB, Node ${m.node}, Redis ${m.redis}. Every process`,
    '(gateway, simulator, load generator, subscriber pools, Redis) shares these cores, so absolute numbers are',
    'low; the ratios against bare graphql-yoga, measured in the same run, are the figures to compare.',
    `1-minute load average: ${fmt(m.loadAverage.before)} at the start, ${fmt(m.loadAverage.after)} at the end` +
      // The load at the end includes the bench's own processes; only the start tells of competitors.
      (m.loadAverage.before > m.nproc
        ? ' — **more runnable work than cores before the run: other processes were competing, treat every figure as pessimistic**.'
        : ' (the end figure includes the bench itself).'),
    '',
  );
  out.push('## Goals', '', row(['goal', 'target', 'measured', 'met']), row(['---', '---', '---', '---']));
  for (const g of r.goals) out.push(row([g.goal, g.target, g.measured, g.met ? 'yes' : '**no**']));
  out.push('');

  out.push('## 1. Gateway overhead', '');
  out.push(
    `Closed loop, ${r.params['connections']} keep-alive connections, ${Number(r.params['durationMs']) / 1000} s per run after ` +
      `${Number(r.params['warmupMs']) / 1000} s warm-up, median of ${r.params['runs']} interleaved runs; before the first run every ` +
      'target is loaded for 5 s unmeasured (`--quick`: not), so both servers run JIT-optimized code. The simulator delays every ' +
      'upstream call by the given latency (`POST /__sim/faults {path:"*", delayMs}`). Nested query: ' +
      `\`searchChats(query: "${r.searchWord}")\` → members, creator, consents.`,
    '',
  );
  out.push(
    row(['sim latency', 'operation', 'req/s', 'p50 ms', 'p99 ms', '× bare yoga', 'errors']),
    row(['---', '---', '---:', '---:', '---:', '---:', '---:']),
  );
  for (const o of r.overhead) {
    for (const op of OPS) {
      const x = o.ops[op];
      out.push(
        row([
          `${o.simLatencyMs} ms`,
          OP_LABEL[op],
          fmt(x.median.rps),
          fmt(x.median.p50),
          fmt(x.median.p99),
          fmt(x.ratio),
          x.median.errors,
        ]),
      );
    }
  }
  out.push('');

  out.push('## 2. Upstream amplification', '');
  out.push(
    '20 sequential requests each; calls counted by `/__sim/stats` (cached tokens and ingestion excluded).',
    '',
  );
  out.push(
    row(['operation', 'calls / request', 'by path', 'distinct keys', 'calls / key']),
    row(['---', '---:', '---', '---:', '---:']),
  );
  for (const a of r.amplification) {
    const paths = Object.entries(a.callsPerRequest)
      .map(([p, n]) => `${p.replace('/cgi-bin/chatdata/', '')} ${fmt(n)}`)
      .join(', ');
    out.push(row([OP_LABEL[a.op], fmt(a.totalPerRequest), paths || '—', a.distinctKeys, fmt(a.ratio)]));
  }
  out.push('');

  out.push('## 3. Fan-out', '');
  out.push(
    'graphql-ws subscribers to `messageAdded` of one corp on one gateway process; the clients run in two separate',
    `processes. Per level: a warm-up message, then ${r.fanout.levels[0]?.rounds ?? 0} single messages. Latency runs from the`,
    '`POST /__sim/messages` that fires the callback to the frame at each client (callback, inbox, sync_msg, index,',
    'Redis pub/sub, shared execution, socket writes). Memory: gateway RSS and V8 heap, the lowest of the samples taken after',
    'the warm-up and after each round (so uncollected garbage of the last burst does not count), minus',
    `the idle baseline (RSS ${fmt(r.fanout.baseline.rssBytes / 2 ** 20)} MiB, heap ${fmt(r.fanout.baseline.heapUsedBytes / 2 ** 20)} MiB), per subscriber.`,
    '',
  );
  out.push(
    row([
      'subscribers',
      'frames',
      'p50 ms',
      'p99 ms',
      'max ms',
      'median round p99',
      'RSS / sub',
      'heap / sub',
      'bare ws p99 ms',
      'p99 / bare',
    ]),
    row(['---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  );
  for (const [i, l] of r.fanout.levels.entries()) {
    const vs = r.fanout.vsBare?.[i];
    out.push(
      row([
        l.subscribers.toLocaleString('en-US'),
        `${l.receivedFrames}/${l.expectedFrames}`,
        fmt(l.p50),
        fmt(l.p99),
        fmt(l.max),
        fmt(l.medianRoundP99),
        `${fmt(l.rssPerSubscriberBytes / 1024)} KB`,
        `${fmt(l.heapPerSubscriberBytes / 1024)} KB`,
        vs ? fmt(vs.bareP99) : 'n/a',
        vs ? `${fmt(vs.ratio)}×` : 'n/a',
      ]),
    );
  }
  const bare = r.fanout.bare?.at(-1);
  if (bare) {
    out.push(
      '',
      `Baseline (\`bench/bareFanoutServer.ts\`): the same two client processes, levels and rounds against a bare \`ws\``,
      `server process that sends one pre-encoded \`next\` frame of the gateway's length (${bare.frameBytes} B) to every`,
      'subscriber per round, measured right after the gateway in the same run; latency runs from the broadcast request',
      `to the frame at the client. At ${bare.subscribers.toLocaleString('en-US')}: p50 ${fmt(bare.p50)} ms, p99 ${fmt(bare.p99)} ms,`,
      `${bare.receivedFrames}/${bare.expectedFrames} frames, ${fmt(bare.rssPerSubscriberBytes / 1024)} KB RSS per subscriber.`,
    );
  }
  out.push('');

  out.push('## 4. Ingest', '');
  out.push(
    'sync_msg → rows committed in PostgreSQL (page and cursor in one transaction), one gateway process. The gateway',
    'is stopped, the messages are created in the simulator (1000 per `POST /__sim/messages`), then a fresh process',
    'catches every corp up from its stored cursor at once; timed from the first committed row to the last, so the',
    "simulator's time to create the messages is not counted. Statistics fold after a corp's drain (at least every",
    '`STATS_MAX_LAG_S` of a long one); the last column is how long after the last row they had folded everything.',
    '',
  );
  out.push(
    row([
      'run',
      'messages',
      'seconds',
      'msg/s',
      'simulator create s',
      'spawn → first row ms',
      'statistics +ms',
    ]),
    row(['---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  );
  r.ingest.runs.forEach((x, i) => {
    out.push(
      row([
        i + 1,
        x.messages,
        fmt(x.seconds),
        fmt(x.messagesPerSecond),
        fmt(x.simCreateSeconds),
        fmt(x.startMs),
        x.statsLagMs === undefined ? '—' : fmt(x.statsLagMs),
      ]),
    );
  });
  out.push(
    '',
    `Median ${fmt(r.ingest.medianMessagesPerSecond)} msg/s. PostgreSQL on disk per message (every partition, table + ` +
      `indexes): ${fmt(r.ingest.diskBytesPerMessage)} B added per new message, ${fmt(r.ingest.diskBytesPerMessageOverall)} B ` +
      'averaged over the whole archive.',
    '',
  );

  if (r.archive) {
    const a = r.archive;
    out.push('## 4b. The archive at 1,000,000 messages', '');
    out.push(
      `\`bench/statisticsQuery.ts\`: ${fmt(a.messages)} messages of one corp over ${a.days} days (200 employees, 5,000`,
      'customers, 300 groups, 7 message types) loaded in SQL into a fresh schema, with the statistics rollup and',
      `counters derived from them; each query the median of ${a.runs} runs after one warm-up.`,
      '',
      row(['query', 'rows', 'ms']),
      row(['---', '---:', '---:']),
      ...a.queries.map((q) => row([q.name, fmt(q.rows), fmt(q.ms)])),
      '',
      `On disk: ${fmt(a.diskBytesPerMessage)} B per message (every partition of \`messages\`, table + indexes). ` +
        `Retention dropped the oldest day partition (${fmt(a.retentionDrop.messages)} messages) in ${fmt(a.retentionDrop.ms)} ms.`,
      '',
    );
  }

  out.push('## 5. Token single-flight', '');
  out.push(
    'Two fresh replicas on one Redis prefix; every cached token and token lock deleted; then concurrent requests on',
    'both at once, each reading `get_corp_auth_info` of every corp (so each needs every corp token).',
    '',
  );
  out.push(
    row(['run', 'requests', 'failed', 'get_corp_token', 'corps', 'get_suite_token']),
    row(['---:', '---:', '---:', '---:', '---:', '---:']),
  );
  r.tokens.forEach((t, i) => {
    out.push(row([i + 1, t.requests, t.failed, t.corpTokenCalls, t.corps, t.suiteTokenCalls]));
  });
  const failure = r.tokens.find((t) => t.firstFailure)?.firstFailure;
  out.push(
    '',
    failure ? `First failure: \`${failure.slice(0, 240).replace(/`/g, "'")}…\`` : 'No request failed.',
    '',
  );

  out.push('## 6. Start-up', '');
  out.push(
    `\`node --import tsx src/main.ts\` spawned → \`/ready\` 200 (Redis and upstream reachable), existing Redis state: ` +
      `${r.startupMs.map((s) => `${Math.round(s)}`).join(', ')} ms; median ${fmt(median(r.startupMs))} ms.`,
    r.startupCompiledMs?.length
      ? `Compiled (\`npm run build\`, \`node dist/src/main.js\`, as the Docker image runs): ${r.startupCompiledMs
          .map((s) => `${Math.round(s)}`)
          .join(', ')} ms; median ${fmt(median(r.startupCompiledMs))} ms.`
      : 'Compiled start-up not measured in this run.',
    '',
  );
  if (r.tracing) out.push(...tracingSection(r.tracing));
  const analysis = `${ROOT}/bench/ANALYSIS.md`;
  if (existsSync(analysis)) out.push(readFileSync(analysis, 'utf8').trim(), '');
  return out.join('\n');
}

/** Section 7: tracing off, every span, and (in runs since it was measured) ratio sampling. */
function tracingSection(t: TracingResult): string[] {
  const ops = Object.entries(t.ops);
  const sampled = t.sampler !== undefined && ops.every(([, x]) => x.sampled);
  const side = (x: { rps: number; p50: number; p99: number }) =>
    `${fmt(x.rps)}, ${fmt(x.p50)} ms, ${fmt(x.p99)} ms`;
  const exports = (s: { requests: number; bytes: number }) =>
    `${fmt(s.requests)} exports, ${fmt(s.bytes / 1e6)} MB of spans`;
  return [
    '## 7. Tracing cost',
    '',
    'Gateway processes on the same simulator, Redis and database: tracing off (no `OTEL_EXPORTER_OTLP_ENDPOINT`:',
    'the SDK is never loaded), every span sampled' +
      (sampled
        ? `, and sampling as the README recommends (\`OTEL_TRACES_SAMPLER\`, \`OTEL_TRACES_SAMPLER_ARG\`: ${t.sampler};`
        : ';'),
    ...(sampled ? ['one new trace in ten, and every request whose caller sampled its trace);'] : []),
    'the traced ones export over OTLP/HTTP protobuf, default batching, to a sink in the bench process.',
    'Sides interleaved, median of runs.',
    '',
    row([
      'operation',
      'off: rps, p50, p99',
      'every span: rps, p50, p99',
      'every span ÷ off (rps)',
      ...(sampled ? [`${t.sampler}: rps, p50, p99`, 'sampled ÷ off (rps)'] : []),
    ]),
    row(['---', '---', '---', '---:', ...(sampled ? ['---', '---:'] : [])]),
    ...ops.map(([op, x]) =>
      row([
        OP_LABEL[op as keyof typeof OP_LABEL] ?? op,
        side(x.off),
        side(x.on),
        fmt(x.ratio),
        ...(sampled ? [side(x.sampled!), fmt(x.sampledRatio!)] : []),
      ]),
    ),
    '',
    `The gateway sampling everything sent ${exports(t.spans)}` +
      (sampled && t.sampledSpans ? `; the sampled one ${exports(t.sampledSpans)}.` : '.') +
      (sampled
        ? ''
        : ' Ratio sampling was not measured in this run (bench/scenarios/tracing.ts measures it since 2026-12).') +
      ' Sample in production (`OTEL_TRACES_SAMPLER=parentbased_traceidratio`, `OTEL_TRACES_SAMPLER_ARG=0.1`).',
    '',
  ];
}
