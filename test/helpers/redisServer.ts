import { execFileSync } from 'node:child_process';

/**
 * Whether redis-server and redis-cli (Debian's redis-server package) are on PATH, for the
 * suites that start Redis processes of their own (a node to stop and restart, a 3-master
 * cluster). Without them such a suite is skipped, with a line saying so; under CI=true this
 * throws instead, failing the file: a skipped suite would let CI pass without ever running it.
 */
export function redisServerFor(suites: string): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    execFileSync('redis-cli', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    const line = `!!! ${suites} SKIPPED: redis-server / redis-cli not installed !!!`;
    if (process.env['CI'] === 'true') throw new Error(`${line} (CI=true makes this a failure)`);
    console.warn(line);
    return false;
  }
}
