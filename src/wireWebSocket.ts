import type { Server } from 'node:http';
import type { ExecutionArgs, GraphQLError } from 'graphql';
import { WebSocketServer } from 'ws';
import type { GatewayYoga } from './createGatewayYoga.js';
import { isGraphQLError } from './errors/maskError.js';
import type { Logger } from './logging/Logger.js';
import type { GatewayMetrics } from './metrics/GatewayMetrics.js';
import type { PersistedOperations } from './plugins/PersistedOperations.js';
import { liveSinks } from './subscriptions/liveSinks.js';
import { sendNextDirect, serveGraphqlWs } from './subscriptions/serveGraphqlWs.js';

type EnvelopedRoot = {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
};

export type WireWebSocketOptions = {
  path?: string;
  /** Largest incoming frame, bytes (ws closes the socket with 1009 beyond it). Default 256 KiB. */
  maxPayloadBytes?: number;
  /** Digest lookup and the log / enforce mode, as on HTTP. */
  persisted?: PersistedOperations;
  isAdmin?: (authorization: unknown) => boolean;
  metrics?: GatewayMetrics;
  logger?: Logger;
};

/**
 * graphql-ws on the yoga endpoint's path, through yoga's envelop (same context factory, auth
 * plugin, limits and error masking as HTTP). The key travels in `connectionParams.authorization`.
 */
export function wireWebSocket(
  server: Server,
  yoga: GatewayYoga,
  options: WireWebSocketOptions = {},
): WebSocketServer {
  const wss = new WebSocketServer({
    server,
    path: options.path ?? '/graphql',
    maxPayload: options.maxPayloadBytes ?? 262_144,
  });
  const { metrics } = options;
  metrics?.countWsConnections(() => wss.clients.size);
  const count = (operationName: string | null | undefined, outcome: string): void => {
    metrics?.graphqlRequests.inc({
      operation: metrics.operationLabel(operationName),
      transport: 'ws',
      outcome,
    });
  };
  serveGraphqlWs(
    wss,
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
      onSubscribe: async (ctx, id, payload) => {
        const connectionParams = ctx.connectionParams ?? {};
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          socket: ctx.extra.socket,
          params: payload,
          connectionParams,
        });
        let document: ReturnType<typeof parse>;
        try {
          const query = options.persisted
            ? options.persisted.resolve(
                payload,
                options.isAdmin?.(connectionParams['authorization']) ?? false,
              )
            : payload.query;
          document = parse(query);
        } catch (error) {
          // Parse errors, token limits and persisted-operation refusals go to this operation only.
          if (!isGraphQLError(error)) throw error;
          count(payload.operationName, String(error.extensions['code'] ?? 'GRAPHQL_PARSE_FAILED'));
          return [error];
        }
        const errors = validate(schema, document) as readonly GraphQLError[];
        if (errors.length > 0) {
          count(payload.operationName, String(errors[0]!.extensions['code'] ?? 'GRAPHQL_VALIDATION_FAILED'));
          return errors;
        }
        count(payload.operationName, 'ok');
        const contextValue = await contextFactory();
        // A shared subscription writes its results to this socket directly (SubscriptionGroups).
        liveSinks.set(contextValue, (result) => sendNextDirect(ctx.extra, id, result));
        const args: ExecutionArgs = {
          schema,
          operationName: payload.operationName ?? null,
          document,
          variableValues: payload.variables ?? null,
          contextValue,
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
        return args;
      },
    },
    { onInternalError: (error) => options.logger?.error({ err: error }, 'graphql-ws connection failed') },
  );
  return wss;
}
