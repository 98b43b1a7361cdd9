import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import { WsConnection } from './WsConnection.js';

export type ServeGraphqlWsOptions = {
  /** Ping every socket this often; one without a pong since the last ping is cut. Default 12 s. */
  keepAliveMs?: number;
  onInternalError?: (error: unknown) => void;
};

/**
 * graphql-ws (graphql-transport-ws) on a `ws` server, as graphql-ws's own `use/ws` adapter does,
 * with two changes for large fan-outs:
 *  - each socket is a WsConnection (graphql-ws `ctx.extra`), which writes the `next` frames;
 *  - one keep-alive timer for all sockets instead of one per socket, and no reference to the
 *    upgrade request is kept (only the socket), which keeps an idle subscriber small.
 * The owner closes `wss` (and its sockets) on shutdown; the timer stops with it.
 */
export function serveGraphqlWs(
  wss: WebSocketServer,
  options: ServerOptions<Record<string, unknown> | undefined, WsConnection>,
  serveOptions: ServeGraphqlWsOptions = {},
): void {
  const server = makeServer(options);
  const onInternalError = serveOptions.onInternalError ?? (() => {});
  wss.options.handleProtocols = handleProtocols;

  const alive = new WeakSet<WebSocket>();
  const keepAliveMs = serveOptions.keepAliveMs ?? 12_000;
  const pinger = setInterval(() => {
    for (const socket of wss.clients) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, keepAliveMs);
  pinger.unref();
  wss.once('close', () => clearInterval(pinger));

  wss.on('connection', (socket) => {
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
    const connection = new WsConnection(socket);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) => connection.send(data),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', async (data: Buffer) => {
            try {
              await cb(data.toString('utf8'));
            } catch (error) {
              onInternalError(error);
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      connection,
    );
    socket.once('error', (error) => {
      onInternalError(error);
      socket.close(CloseCode.InternalServerError, 'Internal server error');
    });
    socket.once('close', (code, reason) => {
      void closed(code, reason.toString()).catch(onInternalError);
    });
  });
}
