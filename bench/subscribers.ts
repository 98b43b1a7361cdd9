import WebSocket from 'ws';
import { serveAsk } from './processes.js';

/**
 * A pool of graphql-ws subscribers in its own process (so their CPU is not the gateway's).
 * Speaks graphql-transport-ws directly: one socket, one subscription each. Records, per msgid,
 * the wall-clock time (ms, sub-ms precision) each subscriber received it.
 */
type OpenSpec = {
  url: string;
  key: string;
  query: string;
  variables: Record<string, unknown>;
  count: number;
};

const sockets: WebSocket[] = [];
const received = new Map<string, number[]>();
const waiters = new Set<() => void>();
let failures = 0;
let firstFailure: string | null = null;
/** Length of the last `next` frame received: the bare baseline sends frames of this size. */
let frameBytes = 0;
const MSGID = /"msgid":"([^"]+)"/g;

const now = () => performance.timeOrigin + performance.now();

function fail(reason: string): void {
  failures++;
  firstFailure ??= reason;
}

function openOne(spec: OpenSpec): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(spec.url, 'graphql-transport-ws', { perMessageDeflate: false });
    let settled = false;
    const settle = () => {
      if (!settled) {
        settled = true;
        resolve();
      }
    };
    ws.on('open', () =>
      ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${spec.key}` } })),
    );
    ws.on('message', (data) => {
      const at = now();
      const text = data.toString();
      if (text.includes('"type":"next"')) {
        frameBytes = Buffer.byteLength(text);
        for (const match of text.matchAll(MSGID)) {
          const times = received.get(match[1]!);
          if (times) times.push(at);
          else received.set(match[1]!, [at]);
        }
        for (const wake of waiters) wake();
        return;
      }
      const message = JSON.parse(text) as { type: string; payload?: unknown };
      if (message.type === 'connection_ack') {
        ws.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: { query: spec.query, variables: spec.variables },
          }),
        );
        sockets.push(ws);
        settle();
      } else if (message.type === 'ping') {
        ws.send(JSON.stringify({ type: 'pong' }));
      } else if (message.type === 'error' || message.type === 'complete') {
        fail(`${message.type}: ${JSON.stringify(message.payload ?? null).slice(0, 300)}`);
      }
    });
    ws.on('error', (error) => {
      fail(error.message);
      settle();
    });
    ws.on('close', (code) => {
      if (!settled) fail(`closed ${code} before ack`);
      settle();
    });
  });
}

/** Opens `count` more subscribers, `parallel` handshakes at a time (the listen backlog is finite). */
async function open(
  spec: OpenSpec,
  parallel = 200,
): Promise<{ open: number; failures: number; firstFailure: string | null }> {
  let left = spec.count;
  await Promise.all(
    Array.from({ length: Math.min(parallel, spec.count) }, async () => {
      while (left > 0) {
        left--;
        await openOne(spec);
      }
    }),
  );
  return { open: sockets.length, failures, firstFailure };
}

/** Waits (bounded) until every open subscriber has `msgid`; returns the receipt times. */
async function collect(
  msgid: string,
  timeoutMs: number,
): Promise<{ times: number[]; expected: number; frameBytes: number }> {
  const deadline = Date.now() + timeoutMs;
  while ((received.get(msgid)?.length ?? 0) < sockets.length && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(1, deadline - Date.now()));
      function done() {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      }
      waiters.add(done);
    });
  }
  const times = received.get(msgid) ?? [];
  received.delete(msgid);
  return { times, expected: sockets.length, frameBytes };
}

async function closeAll(): Promise<number> {
  const n = sockets.length;
  for (const ws of sockets.splice(0)) ws.terminate();
  received.clear();
  failures = 0;
  firstFailure = null;
  return n;
}

serveAsk({
  open: async (m) => open(m['spec'] as OpenSpec),
  collect: async (m) => collect(String(m['msgid']), Number(m['timeoutMs'])),
  close: async () => closeAll(),
});
