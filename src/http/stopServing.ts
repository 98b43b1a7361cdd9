import type { Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { WebSocketServer } from 'ws';
import type { InFlight } from './InFlight.js';
import type { Remaining } from './ShutdownStack.js';

export type StopServingOptions = {
  server: Server;
  wss: WebSocketServer;
  inFlight: InFlight;
  /** Completes every live subscription (graphql-ws `complete`, SSE `event: complete`). */
  endLive: () => void;
  left: Remaining;
};

/**
 * Stops serving within the grace: the listener closes, every live subscription completes, and
 * graphql-ws sockets then close with 1001 behind those frames; idle keep-alive connections go at
 * once. Sockets and responses in flight get until `left()` runs out; what is left is cut.
 */
export async function stopServing(options: StopServingOptions): Promise<void> {
  const { server, wss, inFlight } = options;
  const closed = server.listening
    ? new Promise<void>((resolve) => server.close(() => resolve()))
    : Promise.resolve();
  options.endLive();
  // The subscriptions' `complete` frames are queued on their sockets by the next turn.
  await new Promise((resolve) => setImmediate(resolve));
  const sockets = [...wss.clients];
  for (const socket of sockets) socket.close(1001, 'server shutting down');
  server.closeIdleConnections();
  const wsClosed = Promise.all(
    sockets.map((s) => (s.readyState === s.CLOSED ? null : new Promise((r) => s.once('close', r)))),
  );
  await Promise.race([
    Promise.all([wsClosed, inFlight.drained()]),
    delay(options.left(), undefined, { ref: false }),
  ]);
  for (const socket of wss.clients) socket.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
