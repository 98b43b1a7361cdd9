import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { Access } from './auth/Access.js';
import type { Authenticate } from './auth/authenticate.js';
import { useRequireClient } from './auth/useRequireClient.js';
import type { Context, IngestView } from './context.js';
import type { Logger } from './datasources/Logger.js';
import type { MessageLookup } from './datasources/ports.js';
import { createMaskError } from './errors/maskError.js';
import { GRAPHIQL_DEFAULT_QUERY } from './graphiqlDefaults.js';
import { lazyChildLogger } from './logging/createLogger.js';
import { type JitOptions, useJitExecution } from './plugins/useJitExecution.js';
import { createLoaders } from './resolvers/loaders/createLoaders.js';
import { schema } from './schema/index.js';
import { subgraphSchema } from './schema/subgraphSchema.js';

export type GatewayYogaOptions = {
  authenticate: Authenticate;
  ds: Context['ds'];
  features: Context['features'];
  messages: MessageLookup | null;
  ingest: IngestView | null;
  logger: Logger;
  exposeErrors: boolean;
  /** Preset GraphiQL's Authorization header (embedded demo only). */
  graphiqlKey: string | null;
  /** Limits, rate limits, CSRF, persisted operations, metrics (src/plugins/createProtection.ts). */
  plugins?: Plugin<Context>[];
  /** Compiled execution of repeated queries (src/plugins/useJitExecution.ts); false: interpret all. */
  jit?: JitOptions | false;
  /** Serve the Federation v2 subgraph schema (`_service`, `_entities`; GRAPHQL_FEDERATION). Default false. */
  federation?: boolean;
};

/** What graphql-ws passes into `getEnveloped` besides the HTTP server context. */
type WsContext = { connectionParams?: Record<string, unknown> | undefined };

export type GatewayYoga = YogaServerInstance<WsContext, Context>;

/** The yoga instance: one Context per operation, one error mapping, auth on every transport. */
export function createGatewayYoga(options: GatewayYogaOptions): GatewayYoga {
  const loaderDeps = { api: options.ds.api, messages: options.messages, hits: options.ingest?.hits ?? null };
  return createYoga<WsContext, Context>({
    schema: options.federation ? subgraphSchema() : schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: false,
    // app.ts refuses a /graphql body over GRAPHQL_MAX_BODY_BYTES from its Content-Length (and every
    // chunked body) before yoga sees it, and node reads no more than Content-Length: yoga's own
    // 25 MB counter (a TransformStream around every body) can never fire, so it is left out.
    maxRequestBodySize: false,
    // Computed per page load, so the example operations open with a real corp id filled in.
    graphiql: async () => {
      const headers = options.graphiqlKey
        ? JSON.stringify({ Authorization: `Bearer ${options.graphiqlKey}` })
        : undefined;
      const corpId = await firstActiveCorpId(options.ds.corps);
      return {
        title: 'WeCom archive gateway',
        subscriptionsProtocol: 'SSE' as const,
        ...(headers ? { headers } : {}),
        defaultTabs: [
          {
            query: GRAPHIQL_DEFAULT_QUERY,
            variables: JSON.stringify({ corpId: corpId ?? 'ww…' }, null, 2),
            ...(headers ? { headers } : {}),
          },
        ],
      };
    },
    maskedErrors: { maskError: createMaskError(options.exposeErrors) },
    plugins: [
      useRequireClient(),
      ...(options.plugins ?? []),
      ...(options.jit === false ? [] : [useJitExecution(options.jit) as Plugin<Context>]),
    ],
    context: (initial) => {
      const ws = initial.connectionParams;
      const fromWs = ws && typeof ws['authorization'] === 'string' ? ws['authorization'] : null;
      const request = (initial as { request?: Request }).request;
      const header = request?.headers.get('authorization') ?? null;
      const requestId = request?.headers.get('x-request-id');
      // envelop copies these fields onto its own context object (Object.assign): whatever is
      // lazy or renewable lives inside the values, never in getters or in this literal.
      const loaders = createLoaders(loaderDeps);
      return {
        access: new Access(options.authenticate(ws ? fromWs : header)),
        ds: options.ds,
        features: options.features,
        messages: options.messages,
        ingest: options.ingest,
        // Per corp, and within a corp per loader, created on first use (createLoaders).
        loaders,
        renewLoaders: () => loaders.clear(),
        logger: requestId ? lazyChildLogger(options.logger, { requestId }) : options.logger,
      } satisfies Context;
    },
  });
}

async function firstActiveCorpId(corps: Context['ds']['corps']): Promise<string | null> {
  try {
    return (await corps.list()).find((c) => c.status === 'ACTIVE')?.corpId ?? null;
  } catch {
    return null;
  }
}
