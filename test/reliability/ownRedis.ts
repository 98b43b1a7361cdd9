import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { redisServerFor } from '../helpers/redisServer.js';

/**
 * Whether a redis-server binary is on PATH (the suites that restart Redis need their own); under
 * CI=true a missing one fails the importing file instead of skipping it.
 */
export const redisServerAvailable = redisServerFor('Suites that stop and restart a Redis of their own');

export type OwnRedis = {
  url: string;
  port: number;
  /** SHUTDOWN SAVE: Redis stops as a persistent deployment does, its data written to the dump. */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory (loads the dump); resolves when it answers. */
  start(): Promise<void>;
  /** kill -9 and its dump deleted: the next `start()` begins EMPTY, as a cache deployment does. */
  crashEmpty(): Promise<void>;
  /** Stops it for good and removes its directory. */
  destroy(): Promise<void>;
};

/**
 * A redis-server of this test's own on a free loopback port, so a suite can stop and restart
 * it without touching the shared instance. `--save ''` (no background snapshots) and no AOF; data
 * survives a restart only through the dump SHUTDOWN SAVE writes.
 */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'wag-redis-'));
  let child: ChildProcess | null = null;
  const url = `redis://127.0.0.1:${port}`;

  const start = async (): Promise<void> => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--daemonize',
        'no',
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer within 10 s`);
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        probe.disconnect();
      }
    }
  };
  const stop = async (): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    const admin = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    admin.on('error', () => undefined);
    await admin.call('SHUTDOWN', 'SAVE').catch(() => undefined);
    admin.disconnect();
    const killer = setTimeout(() => running.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };
  await start();
  return {
    url,
    port,
    start,
    stop,
    async crashEmpty() {
      const running = child;
      if (running && running.exitCode === null) {
        const exited = new Promise((r) => running.once('exit', r));
        running.kill('SIGKILL');
        await exited;
      }
      rmSync(join(dir, 'dump.rdb'), { force: true });
    },
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A loopback port nothing listens on (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
