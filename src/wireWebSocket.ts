import type { Server } from 'node:http';
import type { GraphQLError } from 'graphql';
import { WebSocketServer } from 'ws';
import type { GatewayYoga } from './createGatewayYoga.js';
import type { Logger } from './logging/Logger.js';
import type { GatewayMetrics } from './metrics/GatewayMetrics.js';
import { graphqlWsOverYoga } from './subscriptions/graphqlWsOverYoga.js';
import { serveGraphqlWs } from './subscriptions/serveGraphqlWs.js';

export type WireWebSocketOptions = {
  path?: string;
  /** Largest incoming frame, bytes (ws closes the socket with 1009 beyond it). Default 256 KiB. */
  maxPayloadBytes?: number;
  /** Masks what escapes yoga's pipeline, as yoga masks the rest (src/errors/maskError.ts). */
  maskError: (error: unknown, message: string) => Error;
  metrics?: GatewayMetrics;
  logger?: Logger;
};

/**
 * graphql-ws on the yoga endpoint's path; every operation runs through yoga's pipeline
 * (graphqlWsOverYoga), so it meets the same plugins as HTTP. The key travels in
 * `connectionParams.authorization`.
 */
export function wireWebSocket(
  server: Server,
  yoga: GatewayYoga,
  options: WireWebSocketOptions,
): WebSocketServer {
  const path = options.path ?? '/graphql';
  const wss = new WebSocketServer({ server, path, maxPayload: options.maxPayloadBytes ?? 262_144 });
  options.metrics?.countWsConnections(() => wss.clients.size);
  const graphqlWs = graphqlWsOverYoga(yoga, {
    url: `http://localhost${path}`,
    maskError: (error, requestId) => {
      const masked = options.maskError(error, 'Unexpected error.') as GraphQLError;
      if (masked !== error) options.logger?.error({ err: error, requestId }, 'graphql-ws operation failed');
      return masked;
    },
  });
  serveGraphqlWs(wss, graphqlWs, {
    onInternalError: (error) => options.logger?.error({ err: error }, 'graphql-ws connection failed'),
  });
  return wss;
}
