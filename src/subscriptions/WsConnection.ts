import type { WebSocket } from 'ws';

/** A direct write is refused (the subscriber ends as too slow) once this much is still unsent. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Frame heads kept per connection: ids are the client's, and a few are live at a time. */
const HEADS_KEPT = 64;
const CLOSE_BRACE = Buffer.from('}');

/**
 * One graphql-ws socket (graphql-ws `ctx.extra`), and the one place a `next` frame is encoded:
 * `{"id":<id>,"type":"next","payload":` (kept per subscription id) + the result's JSON + `}`,
 * so a payload encoded once (SharedResult) goes to any number of sockets as bytes. graphql-ws
 * writes the protocol's other messages (ack, pong, error, complete) through `send`.
 */
export class WsConnection {
  readonly #heads = new Map<string, Buffer>();

  constructor(readonly socket: WebSocket) {}

  /** Resolves once written out (graphql-ws waits for each message it sends). */
  send(data: string | Buffer): Promise<void> {
    const { socket } = this;
    return new Promise((resolve, reject) => {
      if (socket.readyState !== socket.OPEN) return resolve();
      socket.send(data, { binary: false }, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** A `next` frame of subscription `id`, at the socket's pace: resolves once written out. */
  next(id: string, json: Buffer): Promise<void> {
    return this.send(this.#frame(id, json));
  }

  /**
   * A `next` frame written without waiting for the previous one to leave (a shared subscription's
   * result). False when the socket is too far behind to take more.
   */
  nextNow(id: string, json: Buffer): boolean {
    const { socket } = this;
    if (socket.readyState !== socket.OPEN) return true;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) return false;
    socket.send(this.#frame(id, json), { binary: false });
    return true;
  }

  #frame(id: string, json: Buffer): Buffer {
    let head = this.#heads.get(id);
    if (!head) {
      head = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
      if (this.#heads.size >= HEADS_KEPT) this.#heads.clear();
      this.#heads.set(id, head);
    }
    return Buffer.concat([head, json, CLOSE_BRACE], head.length + json.length + 1);
  }
}
