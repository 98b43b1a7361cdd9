import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/**
 * `src/main.ts` prints this line once ready (PORT=0 → the real port): `GraphQL: …` in upstream
 * mode, `GraphiQL: …` in embedded mode.
 */
const LISTENING = /Graph(?:i)?QL: (http:\/\/\S+)\/graphql/;

export type SpawnedGateway = {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  pid: number;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
};

/**
 * Runs the real entry point, `node --import tsx src/main.ts`, as a child process on port 0 with
 * `env` added to ours, and resolves with its URL once it prints it (bounded by `timeoutMs`).
 */
export async function spawnGateway(
  env: Record<string, string | undefined>,
  timeoutMs = 30_000,
): Promise<SpawnedGateway> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    // A key given as undefined is removed from the inherited environment (e.g. REDIS_URL for a cluster).
    env: Object.fromEntries(
      Object.entries({ ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }).filter(
        ([, v]) => v !== undefined,
      ),
    ),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (graceMs = 5000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(killer);
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(`printed no URL within ${timeoutMs} ms`), timeoutMs);
    function fail(why: string) {
      clearTimeout(timer);
      void stop(0);
      reject(new Error(`gateway ${why}:\n${out}`));
    }
    const onData = (chunk: Buffer) => {
      out = (out + chunk.toString('utf8')).slice(-20_000);
      const match = LISTENING.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before listening`));
    child.once('error', (error) => fail(error.message));
  });
  return { url, pid: child.pid!, output: () => out, stop };
}
