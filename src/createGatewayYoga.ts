import { createHash } from 'node:crypto';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { Access } from './auth/Access.js';
import type { Authenticate } from './auth/authenticate.js';
import type { MessageLookup } from './datasources/store/ports.js';
import { MaskedErrorLog } from './errors/MaskedErrorLog.js';
import { createMaskError } from './errors/maskError.js';
import type { GraphiqlPageOptions } from './graphiql/createGraphiql.js';
import { graphiqlDefaults } from './graphiql/graphiqlDefaults.js';
import { lazyChildLogger } from './logging/createLogger.js';
import type { Logger } from './logging/Logger.js';
import { type JitOptions, useJitExecution } from './plugins/useJitExecution.js';
import { useMaskedErrorLog } from './plugins/useMaskedErrorLog.js';
import { useRequestErrorCodes } from './plugins/useRequestErrorCodes.js';
import { useRequireClient } from './plugins/useRequireClient.js';
import type { Context, IngestView } from './resolvers/context.js';
import { createLoaders } from './resolvers/createLoaders.js';
import { schema } from './schema/index.js';
import { subgraphSchema } from './schema/subgraphSchema.js';
import type { ServerContext } from './subscriptions/ServerContext.js';

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
  /**
   * The GraphiQL page (src/graphiql/createGraphiql.ts), served from installed packages, no CDN.
   * Without it GraphiQL is off (yoga's own page would load from a CDN).
   */
  renderGraphiQL?: (options: GraphiqlPageOptions) => string;
  /** Limits, rate limits, CSRF, persisted operations, metrics (src/plugins/createProtection.ts). */
  plugins?: Plugin<Context>[];
  /** Compiled execution of repeated queries (src/plugins/useJitExecution.ts); false: interpret all. */
  jit?: JitOptions | false;
  /** Serve the Federation v2 subgraph schema (`_service`, `_entities`; GRAPHQL_FEDERATION). Default false. */
  federation?: boolean;
};

export type GatewayYoga = YogaServerInstance<ServerContext, Context>;

/** The yoga instance: one Context per operation, one error mapping, auth on every transport. */
export function createGatewayYoga(options: GatewayYogaOptions): GatewayYoga {
  const loaderDeps = { api: options.ds.api, messages: options.messages, hits: options.ingest?.hits ?? null };
  const renderPage = options.renderGraphiQL;
  const maskError = createMaskError(options.exposeErrors);
  // Every masked error logged once with its request id and stack, whoever masks it.
  const maskedErrorLog = new MaskedErrorLog(options.logger);
  return createYoga<ServerContext, Context>({
    schema: options.federation ? subgraphSchema() : schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: maskedErrorLog.yogaLogger,
    // app.ts refuses a /graphql body over GRAPHQL_MAX_BODY_BYTES from its Content-Length (and every
    // chunked body) before yoga sees it, and node reads no more than Content-Length: yoga's own
    // 25 MB counter (a TransformStream around every body) can never fire, so it is left out.
    maxRequestBodySize: false,
    // Computed per page load, so the prepared tabs open with a real corp id filled in.
    graphiql: !renderPage
      ? false
      : async () => {
          const headers = options.graphiqlKey
            ? JSON.stringify({ Authorization: `Bearer ${options.graphiqlKey}` }, null, 2)
            : undefined;
          const corpId = (await firstActiveCorpId(options.ds.corps)) ?? 'ww…';
          const tabs = graphiqlDefaults(corpId, new Date());
          const defaultTabs = tabs.map((tab) => ({
            query: tab.query,
            variables: JSON.stringify(tab.variables, null, 2),
            ...(headers ? { headers } : {}),
          }));
          return {
            title: 'WeCom archive gateway',
            // SSE on the same /graphql path. GraphiQL's subscription request is a GET, and GETs need
            // the CSRF header (a cross-site page cannot set it; GraphiQL, on this origin, can).
            subscriptionsProtocol: 'SSE' as const,
            additionalHeaders: { 'x-graphql-csrf': '1' },
            ...(headers ? { headers } : {}),
            defaultTabs,
            // New examples or another corp open fresh instead of a stale saved set of tabs; the
            // statistics window (now - 7 days) is left out, so edits survive a reload.
            storageNamespace: createHash('sha1')
              .update(JSON.stringify([corpId, headers, tabs.map((t) => t.query)]))
              .digest('hex')
              .slice(0, 12),
          };
        },
    renderGraphiQL: (graphiql) => (renderPage ?? String)(graphiql as Record<string, unknown>),
    maskedErrors: { maskError: maskedErrorLog.wrap(maskError) },
    plugins: [
      // First: it chooses the executor, which every later plugin that wraps execution wraps.
      ...(options.jit === false ? [] : [useJitExecution(options.jit) as Plugin<Context>]),
      useRequireClient(),
      useRequestErrorCodes(),
      useMaskedErrorLog(maskError, maskedErrorLog),
      ...(options.plugins ?? []),
    ],
    context: (initial) => {
      // A graphql-ws operation's request carries connectionParams.authorization (graphqlWsOverYoga).
      const request = (initial as { request?: Request }).request;
      const requestId = request?.headers.get('x-request-id');
      const logger = requestId ? lazyChildLogger(options.logger, { requestId }) : options.logger;
      try {
        // envelop copies these fields onto its own context object (Object.assign): whatever is
        // lazy or renewable lives inside the values, never in getters or in this literal.
        const loaders = createLoaders(loaderDeps);
        return {
          access: new Access(options.authenticate(request?.headers.get('authorization') ?? null)),
          ds: options.ds,
          features: options.features,
          messages: options.messages,
          ingest: options.ingest,
          // Per corp, and within a corp per loader, created on first use (createLoaders).
          loaders,
          renewLoaders: () => loaders.clear(),
          logger,
        } satisfies Context;
      } catch (error) {
        // yoga masks it with no context: it is logged with this request's id all the same.
        maskedErrorLog.attribute(error, logger);
        throw error;
      }
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
