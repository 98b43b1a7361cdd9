import { type ChildProcess, fork, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Repository root: every child runs from here so `--import tsx` resolves. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = ['--import', 'tsx'];

export type Child = {
  proc: ChildProcess;
  pid: number;
  /** Everything the child printed (for error reports). */
  output(): string;
  stop(): Promise<void>;
};

/** A free loopback port (bind 0, read, close); a small race is acceptable for a benchmark. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// BENCH_LOG_DIR=/tmp/bench-logs: every child's output is also appended to <dir>/<label>.log.
const logDir = process.env['BENCH_LOG_DIR'];
if (logDir) mkdirSync(logDir, { recursive: true });

function wrap(proc: ChildProcess, label: string): Child {
  let out = '';
  const logFile = logDir ? `${logDir}/${label.replace(/[^\w.-]+/g, '_')}.log` : null;
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-20_000);
    if (logFile) appendFileSync(logFile, chunk);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  if (proc.pid === undefined) throw new Error(`${label} did not start`);
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });
  return {
    proc,
    pid: proc.pid,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** `node --import tsx <script>` with `env` added to ours; output captured, not shown. */
export function spawnTs(
  script: string,
  env: Record<string, string>,
  label = script,
  nodeArgs: string[] = [],
): Child {
  return spawnNode(script, env, label, [...nodeArgs, ...TSX]);
}

/** Plain `node <script>` (compiled JS), same conventions as spawnTs. */
export function spawnNode(
  script: string,
  env: Record<string, string>,
  label = script,
  nodeArgs: string[] = [],
): Child {
  const proc = spawn(process.execPath, [...nodeArgs, script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return wrap(proc, label);
}

/** A worker child with an IPC channel (load generator, subscriber pools). */
export function forkTs(script: string, env: Record<string, string> = {}): Child {
  const proc = fork(script, [], {
    cwd: ROOT,
    execArgv: [...TSX, '--max-old-space-size=2048'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return wrap(proc, script);
}

let nextId = 1;

/** One request/response over a child's IPC channel; the child answers `{id, result | error}`. */
export function ask<T>(child: Child, message: Record<string, unknown>, timeoutMs = 300_000): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.proc.off('message', onMessage);
      reject(new Error(`no answer to ${String(message['type'])} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (raw: unknown) => {
      const reply = raw as { id?: number; result?: T; error?: string };
      if (reply.id !== id) return;
      clearTimeout(timer);
      child.proc.off('message', onMessage);
      if (reply.error) reject(new Error(reply.error));
      else resolve(reply.result as T);
    };
    child.proc.on('message', onMessage);
    child.proc.send({ ...message, id });
  });
}

/** Serves `ask` inside a child: each handler's result (or error message) goes back with the id. */
export function serveAsk(
  handlers: Record<string, (message: Record<string, unknown>) => Promise<unknown>>,
): void {
  process.on('message', (raw) => {
    const message = raw as Record<string, unknown> & { id: number; type: string };
    const handler = handlers[message.type];
    const done = (reply: Record<string, unknown>) => process.send?.({ id: message.id, ...reply });
    if (!handler) {
      done({ error: `unknown message type ${message.type}` });
      return;
    }
    handler(message).then(
      (result) => done({ result: result ?? null }),
      (error: unknown) => done({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

/** Polls `url` until it answers 200; returns the milliseconds since `since` (bounded). */
export async function waitHttpOk(
  url: string,
  since: number,
  timeoutMs = 30_000,
  child?: Child,
): Promise<number> {
  const deadline = since + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    if (child && child.proc.exitCode !== null) {
      throw new Error(`process exited (${child.proc.exitCode}) before ${url} was ready:\n${child.output()}`);
    }
    if (performance.now() > deadline) {
      throw new Error(`${url} not ready within ${timeoutMs} ms${child ? `:\n${child.output()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
