import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { serveAsk } from './processes.js';

/**
 * The fan-out baseline: a bare `ws` server that speaks just enough graphql-transport-ws for the
 * bench's subscriber pools (ack, ping/pong, remember the subscription) and, per round, sends one
 * `next` frame — encoded once — to every subscriber. No GraphQL, no Redis, no per-subscriber
 * work: what one Node process and `ws` cost to put the same bytes on the same sockets.
 */
const subscribers = new Set<WebSocket>();
const server = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  path: '/graphql',
  perMessageDeflate: false,
});

server.on('connection', (ws) => {
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { type: string };
    if (message.type === 'connection_init') ws.send('{"type":"connection_ack"}');
    else if (message.type === 'ping') ws.send('{"type":"pong"}');
    else if (message.type === 'subscribe') subscribers.add(ws);
  });
  ws.on('close', () => subscribers.delete(ws));
});

/**
 * The frame the gateway sends for `messageAdded { cursor message { msgid sentAt } }`, padded in
 * the cursor to `bytes` (the gateway's own frame length, measured by the pools) so both servers
 * write the same number of bytes per subscriber.
 */
function frame(msgid: string, bytes: number): Buffer {
  const shaped = (cursor: string) =>
    JSON.stringify({
      id: '1',
      type: 'next',
      payload: { data: { messageAdded: { cursor, message: { msgid, sentAt: new Date().toISOString() } } } },
    });
  const pad = Math.max(0, bytes - Buffer.byteLength(shaped('')));
  return Buffer.from(shaped('x'.repeat(pad)));
}

serveAsk({
  url: async () => {
    await new Promise<void>((resolve) => (server.address() ? resolve() : server.once('listening', resolve)));
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  },
  broadcast: async (m) => {
    const data = frame(String(m['msgid']), Number(m['bytes']));
    for (const ws of subscribers) ws.send(data, { binary: false });
    return { sent: subscribers.size, bytes: data.length };
  },
  memory: async () => {
    const { rss, heapUsed } = process.memoryUsage();
    return { rssBytes: rss, heapUsedBytes: heapUsed };
  },
});
