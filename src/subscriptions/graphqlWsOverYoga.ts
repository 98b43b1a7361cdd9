import { randomUUID } from 'node:crypto';
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLError,
  Kind,
  OperationTypeNode,
} from 'graphql';
import type { Context, ServerOptions, SubscribePayload } from 'graphql-ws';
import type { GraphQLParams } from 'graphql-yoga';
import { withoutHttpExtension } from './encodeResult.js';
import type { ServerContext } from './ServerContext.js';
import type { WsConnection } from './WsConnection.js';
import { isRequestError, type RunOperation, WsOperation } from './WsOperation.js';

type ConnectionParams = Record<string, unknown> | undefined;

/** The part of a yoga instance a graphql-ws operation runs through. */
export type OperationPipeline = {
  getResultForParams(
    input: { params: GraphQLParams; request: Request },
    context: ServerContext,
  ):
    | PromiseLike<ExecutionResult | AsyncIterable<ExecutionResult> | undefined>
    | ExecutionResult
    | AsyncIterable<ExecutionResult>
    | undefined;
  fetchAPI: { Request: typeof Request };
};

export type GraphqlWsOverYogaOptions = {
  /** The operations' URL as yoga's plugins see it (the GraphQL endpoint). */
  url: string;
  /**
   * Turns what escapes yoga's pipeline (an onParams hook that throws) into a client error;
   * `requestId` is the operation's.
   */
  maskError: (error: unknown, requestId: string) => GraphQLError;
};

/**
 * graphql-ws' one check of an operation before running it (that the document has one): the
 * real document is yoga's to parse, inside the operation.
 */
const ANY_OPERATION: DocumentNode = {
  kind: Kind.DOCUMENT,
  definitions: [
    {
      kind: Kind.OPERATION_DEFINITION,
      operation: OperationTypeNode.SUBSCRIPTION,
      selectionSet: { kind: Kind.SELECTION_SET, selections: [] },
    },
  ],
};

/**
 * graphql-ws options that run every operation through yoga, as Hive Gateway's
 * `getGraphQLWSOptions` does: `getResultForParams` with the subscribe payload as the params and
 * a request of the operation's own (a POST to the endpoint whose Authorization header is
 * `connectionParams.authorization`), so persisted operations, limits, auth, rate limits,
 * metrics and error masking are yoga's plugins alone, as over HTTP, and a client gets the body
 * HTTP would have answered as its `next` payload. Each operation has a request id of its own
 * (`x-request-id` on its request), which its logger and every line logged for it carry. graphql-ws keeps the protocol; the results
 * are written by WsOperation, a shared subscription's straight to the socket (`liveSink`).
 */
export function graphqlWsOverYoga(
  yoga: OperationPipeline,
  options: GraphqlWsOverYogaOptions,
): ServerOptions<ConnectionParams, WsConnection> {
  const run: RunOperation = async (params, request, context) => {
    try {
      return await yoga.getResultForParams({ params, request }, context);
    } catch (error) {
      return { errors: [options.maskError(error, request.headers.get('x-request-id') ?? '')] };
    }
  };
  const operation = (ctx: Context<ConnectionParams, WsConnection>, id: string, payload: SubscribePayload) => {
    const authorization = ctx.connectionParams?.['authorization'];
    const requestId = randomUUID();
    const request = new yoga.fetchAPI.Request(options.url, {
      method: 'POST',
      headers: {
        'x-request-id': requestId,
        ...(typeof authorization === 'string' ? { authorization } : {}),
      },
    });
    // Only the four GraphQL-over-HTTP fields, as an HTTP body would carry them.
    const params: GraphQLParams = {
      query: payload.query,
      ...(payload.operationName != null ? { operationName: payload.operationName } : {}),
      ...(payload.variables != null ? { variables: payload.variables } : {}),
      ...(payload.extensions != null ? { extensions: payload.extensions } : {}),
    };
    return new WsOperation(id, ctx.extra, run, params, request);
  };
  // The operation travels to `subscribe` as the context value; yoga builds the real Context.
  const started = (args: ExecutionArgs) => args.contextValue as WsOperation;
  return {
    // A request refused before execution is graphql-ws' `error` message (no `complete` after it),
    // as the protocol asks; anything that executed is `next` payloads, then `complete`.
    onSubscribe: async (ctx, id, payload) => {
      const op = operation(ctx, id, payload);
      const outcome = await op.start();
      if (isRequestError(outcome)) return outcome.errors.map(withoutHttpExtension);
      return { document: ANY_OPERATION, contextValue: op } as ExecutionArgs;
    },
    subscribe: started,
    execute: started,
  };
}
