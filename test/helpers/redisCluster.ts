import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { createRedis } from '../../src/datasources/store/redis/createRedis.js';
import type { RedisClient } from '../../src/datasources/store/redis/RedisClient.js';
import { redisMasters } from '../../src/datasources/store/redis/redisMasters.js';
import { silentLogger } from '../../src/logging/Logger.js';

const run = promisify(execFile);

export type LocalRedisCluster = {
  /** Seed nodes, as REDIS_CLUSTER_NODES lists them. */
  nodes: { host: string; port: number }[];
  /** `host:port,…` for REDIS_CLUSTER_NODES. */
  env: string;
  stop(): Promise<void>;
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A real 3-master Redis Cluster (no replicas) from redis-server in cluster mode on free local
 * ports, its state in a temp directory; resolves once every node reports cluster_state:ok
 * (bounded). `stop()` shuts each node down (only the processes it started, by their pid files)
 * and removes the directory.
 */
export async function startRedisCluster(timeoutMs = 20_000): Promise<LocalRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'wag-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const started: number[] = [];
  const stop = async () => {
    for (const port of started) {
      await run('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      await run('redis-server', [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '2000',
        '--dir',
        dir,
        '--pidfile',
        join(dir, `${port}.pid`),
        '--logfile',
        join(dir, `${port}.log`),
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'yes',
      ]);
      started.push(port);
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    const deadline = Date.now() + timeoutMs;
    for (const port of ports) {
      for (;;) {
        const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
        if (stdout.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) {
          const log = await readFile(join(dir, `${port}.log`), 'utf8').catch(() => '');
          throw new Error(
            `cluster node ${port} not ok within ${timeoutMs} ms:\n${stdout}\n${log.slice(-2000)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
  return { nodes, env: nodes.map((n) => `${n.host}:${n.port}`).join(','), stop };
}

/**
 * A cluster for the enclosing describe: started before its tests, stopped after them together
 * with every client `connect` handed out (ioredis Cluster clients from createRedis).
 */
export function clusterPerSuite(): { connect(): Promise<RedisClient> } {
  let cluster: LocalRedisCluster | undefined;
  const clients: RedisClient[] = [];
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await cluster?.stop();
  });
  return {
    async connect() {
      if (!cluster) throw new Error('clusterPerSuite: connect() before the cluster started');
      const client = await createRedis({ clusterNodes: cluster.nodes }, silentLogger);
      clients.push(client);
      return client;
    },
  };
}

/** The masters (by port) that hold any of `keys`: more than one shows the keys really are spread. */
export async function mastersHolding(redis: RedisClient, keys: string[]): Promise<Set<number>> {
  const ports = new Set<number>();
  for (const node of redisMasters(redis)) {
    for (const key of keys) if ((await node.exists(key).catch(() => 0)) === 1) ports.add(node.options.port!);
  }
  return ports;
}
