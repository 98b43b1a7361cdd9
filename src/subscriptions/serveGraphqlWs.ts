import type { ExecutionResult } from 'graphql';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';

/** What each graphql-ws connection carries (graphql-ws `ctx.extra`). */
export type SocketExtra = {
  socket: WebSocket;
  /** Encoded payloads parked by onNext for the send that follows it (see #encode). */
  readonly parked: Map<number, Buffer>;
  /** `{"id":…,"type":"next","payload":` per subscription id, encoded once. */
  readonly heads: Map<string, Buffer>;
  seq: number;
};

export type ServeGraphqlWsOptions = {
  /** Ping every socket this often; one without a pong since the last ping is cut. Default 12 s. */
  keepAliveMs?: number;
  onInternalError?: (error: unknown) => void;
};

const MARK = '__wag_frame';
/** A direct write is refused (the subscriber ended as too slow) once this much is still unsent. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** One encoding per result object, shared by every socket it goes to. */
const encoded = new WeakMap<ExecutionResult, Buffer>();
const PARKED = /\{"__wag_frame":(\d+)\}\}$/;
const CLOSE_BRACE = Buffer.from('}');

/**
 * graphql-ws (graphql-transport-ws) on a `ws` server, as graphql-ws's own `use/ws` adapter does,
 * with two changes for large fan-outs:
 *  - a `next` payload is JSON-encoded once per result object, not once per socket: a shared
 *    subscription (SubscriptionGroups) hands every member the same result, so N subscribers cost
 *    one encoding plus N small copies (the frame is the subscription's id, spliced in front);
 *  - one keep-alive timer for all sockets instead of one per socket, and no reference to the
 *    upgrade request is kept (only the socket), which keeps an idle subscriber small.
 * The owner closes `wss` (and its sockets) on shutdown; the timer stops with it.
 */
export function serveGraphqlWs(
  wss: WebSocketServer,
  options: ServerOptions<Record<string, unknown> | undefined, SocketExtra>,
  serveOptions: ServeGraphqlWsOptions = {},
): void {
  const server = makeServer<Record<string, unknown> | undefined, SocketExtra>({
    ...options,
    onNext: (ctx, _id, _payload, _args, result) => {
      const n = ++ctx.extra.seq;
      ctx.extra.parked.set(n, bodyOf(result));
      // graphql-ws stringifies this small stand-in and calls send() at once; send swaps it back.
      return { [MARK]: n } as never;
    },
  });
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
    const extra: SocketExtra = { socket, parked: new Map(), heads: new Map(), seq: 0 };
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            const frame = unpark(extra, data);
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(frame, { binary: false }, (error) => (error ? reject(error) : resolve()));
          }),
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
      extra,
    );
    socket.once('error', (error) => {
      onInternalError(error);
      socket.close(CloseCode.InternalServerError, 'Internal server error');
    });
    socket.once('close', (code, reason) => {
      extra.parked.clear();
      void closed(code, reason.toString()).catch(onInternalError);
    });
  });
}

/**
 * A `next` frame for subscription `id` written at once, outside graphql-ws' per-subscription loop
 * (see SubscriptionGroups): the caller guarantees nothing of that subscription is in flight on
 * the other path, so frames keep their order. False when the socket is too far behind.
 */
export function sendNextDirect(extra: SocketExtra, id: string, result: ExecutionResult): boolean {
  const { socket } = extra;
  if (socket.readyState !== socket.OPEN) return true;
  if (socket.bufferedAmount > MAX_BUFFERED_BYTES) return false;
  const key = `\u0000${id}`;
  let head = extra.heads.get(key);
  if (!head) {
    head = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
    if (extra.heads.size >= 64) extra.heads.clear();
    extra.heads.set(key, head);
  }
  const body = bodyOf(result);
  socket.send(Buffer.concat([head, body, CLOSE_BRACE], head.length + body.length + 1), { binary: false });
  return true;
}

function bodyOf(result: ExecutionResult): Buffer {
  let body = encoded.get(result);
  if (!body) {
    body = Buffer.from(JSON.stringify(formatResult(result)));
    encoded.set(result, body);
  }
  return body;
}

/** The frame for `data`: itself, or for a `next` whose payload was parked, id + payload bytes. */
function unpark(extra: SocketExtra, data: string): string | Buffer {
  if (extra.parked.size === 0) return data;
  const match = PARKED.exec(data);
  const body = match ? extra.parked.get(Number(match[1])) : undefined;
  if (!match || !body) return data;
  extra.parked.delete(Number(match[1]));
  const headText = data.slice(0, match.index);
  let head = extra.heads.get(headText);
  if (!head) {
    head = Buffer.from(headText);
    // Ids are chosen by the client; a few live per connection, so a small cache is enough.
    if (extra.heads.size >= 64) extra.heads.clear();
    extra.heads.set(headText, head);
  }
  return Buffer.concat([head, body, CLOSE_BRACE], head.length + body.length + 1);
}

/** As graphql-ws sends it: `errors` only when present, each in its JSON form. */
function formatResult(result: ExecutionResult): Record<string, unknown> {
  const { errors, ...rest } = result;
  return errors ? { ...rest, errors: errors.map((e) => e.toJSON()) } : rest;
}
