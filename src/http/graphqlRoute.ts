import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '../errors/codes.js';
import { assignRequestId } from '../logging/requestId.js';
import type { Handler } from './Routes.js';
import { sendJson } from './sendJson.js';

export type GraphqlRouteOptions = {
  /** yoga's node handler. */
  yoga: Handler;
  /** Largest request body, bytes (GRAPHQL_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** True once the gateway is stopping: new requests go to another replica. */
  draining: () => boolean;
  onTooLarge: () => void;
};

/**
 * /graphql over HTTP: every request gets its id, and what yoga need not see is refused before it
 * (a stopping gateway, a body over the limit or of unknown length) with a coded GraphQL-shaped
 * error. graphql-ws upgrades on the same path never come here (src/wireWebSocket.ts).
 */
export function graphqlRoute(options: GraphqlRouteOptions): Handler {
  return (req, res) => {
    // On the request (x-request-id) from here: the operation's logger carries it (createGatewayYoga).
    assignRequestId(req, res);
    if (options.draining()) {
      return refuse(
        res,
        503,
        ErrorCode.SHUTTING_DOWN,
        'the gateway is shutting down; retry on another replica',
      );
    }
    const tooLarge = bodyTooLarge(req, options.maxBodyBytes);
    if (tooLarge) {
      options.onTooLarge();
      return refuse(res, tooLarge.status, ErrorCode.REQUEST_TOO_LARGE, tooLarge.message);
    }
    return options.yoga(req, res);
  };
}

function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] }, { connection: 'close' });
}

/** Bodies over the limit are refused before a byte is read; so are bodies of unknown length. */
function bodyTooLarge(req: IncomingMessage, max: number): { status: number; message: string } | null {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return null;
  const declared = req.headers['content-length'];
  if (declared === undefined) {
    if (req.headers['transfer-encoding'] === undefined) return null;
    return {
      status: 411,
      message: `a request body needs Content-Length (at most ${max} bytes); chunked bodies are refused`,
    };
  }
  const length = Number(declared);
  if (Number.isFinite(length) && length <= max) return null;
  return { status: 413, message: `request body must be at most ${max} bytes, got ${declared}` };
}
