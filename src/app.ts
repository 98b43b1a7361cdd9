import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Plugin } from 'graphql-yoga';
import { createAuthenticator } from './auth/authenticate.js';
import type { Config } from './config/config.js';
import { createConsoleHandler } from './console/serveConsole.js';
import { createGatewayYoga } from './createGatewayYoga.js';
import { createDatasources, type Datasources } from './datasources/createDatasources.js';
import type { MessageLookup } from './datasources/store/ports.js';
import { CircuitBreaker } from './datasources/wecom/CircuitBreaker.js';
import { createMaskError } from './errors/maskError.js';
import { createGraphiql } from './graphiql/createGraphiql.js';
import { callbackRoute } from './http/callbackRoute.js';
import { graphqlRoute } from './http/graphqlRoute.js';
import { InFlight } from './http/InFlight.js';
import { landingRoute, schemaRoute } from './http/pageRoutes.js';
import { Routes } from './http/Routes.js';
import { ShutdownStack } from './http/ShutdownStack.js';
import { sendJson } from './http/sendJson.js';
import { healthRoute, metricsRoute, readyRoute } from './http/statusRoutes.js';
import { stopServing } from './http/stopServing.js';
import { createIngest, type Ingest } from './ingest/createIngest.js';
import { stopIngest } from './ingest/stopIngest.js';
import { LANDING_PAGE_CSP, renderLandingPage } from './landing/landingPage.js';
import { createLogger } from './logging/createLogger.js';
import type { Logger } from './logging/Logger.js';
import { GatewayMetrics } from './metrics/GatewayMetrics.js';
import { logActivitySummary } from './metrics/logActivitySummary.js';
import { watchIngest } from './metrics/watchIngest.js';
import { createProtection } from './plugins/createProtection.js';
import type { JitOptions } from './plugins/useJitExecution.js';
import type { Context } from './resolvers/context.js';
import { schema } from './schema/index.js';
import { SubscriptionGroups } from './subscriptions/SubscriptionGroups.js';
import { useSharedSubscriptions } from './subscriptions/useSharedSubscriptions.js';
import { watchSubscriptionGroups } from './subscriptions/watchSubscriptionGroups.js';
import { wireWebSocket } from './wireWebSocket.js';

export type AppDeps = {
  logger?: Logger;
  /** Overrides the message lookup (defaults to the message index). */
  messages?: MessageLookup;
  /** Envelop plugins that run before every other one (the tracing spans, src/tracing/). */
  plugins?: Plugin<Context>[];
  /** Compiled execution's options (src/plugins/useJitExecution.ts); default: its defaults. */
  jit?: JitOptions;
};

export type App = {
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  datasources: Datasources;
  ingest: Ingest;
  metrics: GatewayMetrics;
  breaker: CircuitBreaker;
};

/**
 * The gateway: yoga on /graphql (HTTP, SSE, graphql-ws on the same path), /wecom/callback,
 * /health, /ready, /metrics. Built apart from started, so tests run it on port 0. Each part, as
 * it is built, adds its paths to the route table and its stop to the shutdown stack.
 */
export async function buildApp(config: Config & { wecomApiBase: string }, deps: AppDeps = {}): Promise<App> {
  const logger: Logger = deps.logger ?? createLogger({ level: config.logLevel });
  const routes = new Routes();
  const shutdown = new ShutdownStack();
  const { maxBodyBytes, shutdownGraceMs } = config.protection;
  let draining = false;

  const metrics = new GatewayMetrics();
  routes.add('/metrics', metricsRoute(metrics.registry));
  const breaker = new CircuitBreaker({
    ...config.protection.breaker,
    rateLimitBlockMs: config.upstream.rateLimitBlockMs,
  });
  // Bound once: a labelled child per outcome, three reads per page request.
  const cacheReadsBy = {
    hit: metrics.readCacheReads.labels('hit'),
    miss: metrics.readCacheReads.labels('miss'),
    bypass: metrics.readCacheReads.labels('bypass'),
  };
  const datasources = await createDatasources(config, logger, {
    breaker,
    observe: metrics.observeUpstream,
    onboarding: (app, kind) => metrics.onboarding.inc({ app, kind }),
    authorized: (app) => metrics.corpsAuthorized.inc({ app }),
    readCache: (outcome) => cacheReadsBy[outcome].inc(),
  });
  // Last to close: everything else reads or writes through them.
  shutdown.defer('stores', () => datasources.close());
  routes.add('/health', healthRoute);
  routes.add(
    '/ready',
    readyRoute(
      () => datasources.ping(),
      () => draining,
    ),
  );

  const ingest = createIngest(config, datasources, logger, {
    onGiveUp: (infoType, code) =>
      metrics.callbacksFailed.inc({ info_type: metrics.infoTypeLabel(infoType), code }),
  });
  watchIngest(metrics, ingest, datasources.corps);
  shutdown.defer('ingest', (left) => stopIngest(ingest, Math.max(left(), 1000), shutdownGraceMs, logger));

  const authenticate = createAuthenticator(config.clients);
  // Aborted when serving stops: every live subscription completes.
  const live = new AbortController();
  const protection = createProtection({
    config: config.protection,
    authenticate,
    redis: datasources.redis,
    prefix: config.redis.prefix,
    logger,
    metrics,
    shutdown: live.signal,
  });
  const groups = config.live.sharedSubscriptions
    ? new SubscriptionGroups({ maxQueue: config.live.maxQueue })
    : null;
  if (groups) watchSubscriptionGroups(metrics.registry, groups);
  const graphiql = createGraphiql();
  routes.add('/graphiql/*', graphiql.handle);
  const embeddedKey = config.mode === 'embedded' ? embeddedDemoKey(config) : null;
  const maskError = createMaskError(config.exposeErrors);
  const yoga = createGatewayYoga({
    authenticate,
    ds: datasources,
    features: { specapi: config.specapi },
    messages: deps.messages ?? ingest.index,
    ingest,
    logger,
    exposeErrors: config.exposeErrors,
    graphiqlKey: embeddedKey,
    federation: config.federation,
    renderGraphiQL: graphiql.render,
    ...(deps.jit ? { jit: deps.jit } : {}),
    // Last, so it wraps the subscribe every other plugin has set.
    plugins: [
      ...(deps.plugins ?? []),
      ...protection.plugins,
      ...(groups ? [useSharedSubscriptions(groups)] : []),
    ],
  });
  routes.add(
    '/graphql',
    graphqlRoute({
      yoga: (req, res) => yoga.handle(req, res),
      maxBodyBytes,
      draining: () => draining,
      onTooLarge: () => metrics.rejections.inc({ protection: 'body' }),
    }),
  );

  routes.add('/wecom/callback', callbackRoute(config, { datasources, ingest, metrics, logger }));
  const consolePage = createConsoleHandler({
    // Content preview only against a simulator: embedded mode's own, or one named explicitly.
    simulatorRenderBase:
      config.display.consoleSimulatorUrl ??
      (config.mode === 'embedded' ? (config.wecomApiBase ?? null) : null),
  });
  routes.add('/console', consolePage).add('/console/*', consolePage);
  const schemaPublic = config.protection.introspection;
  const landingPage = renderLandingPage({
    mode: config.mode,
    demoKey: embeddedKey,
    simulatorUrl: config.mode === 'embedded' ? (config.wecomApiBase ?? null) : null,
    schemaPublic,
  });
  routes.add('/', landingRoute(landingPage, LANDING_PAGE_CSP), ['GET', 'HEAD']);
  // The SDL only where introspection is open to every client anyway (embedded mode by default).
  if (schemaPublic) routes.add('/schema.graphql', schemaRoute(schema));

  const inFlight = new InFlight();
  const server: Server = createServer((req, res) => {
    // In flight until the response is finished or the connection dropped: the shutdown waits for it.
    inFlight.track(res);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const handle =
      routes.find(path, req.method) ?? ((_req, r) => sendJson(r, 404, { error: `no route ${path}` }));
    Promise.resolve(handle(req, res)).catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  let stopped = false;

  return {
    datasources,
    ingest,
    metrics,
    breaker,
    async start() {
      const address = await new Promise<{ url: string; port: number }>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          resolve({ url: `http://${config.host}:${port}`, port });
        });
      });
      const wss = wireWebSocket(server, yoga, { maxPayloadBytes: maxBodyBytes, maskError, metrics, logger });
      shutdown.defer('http and graphql-ws', (left) =>
        stopServing({ server, wss, inFlight, endLive: () => live.abort(), left }),
      );
      // Workers start now; the start-up catch-up of every corp runs in the background.
      ingest.start().catch((error: unknown) => logger.error({ err: error }, 'ingestion start failed'));
      shutdown.defer(
        'activity summary',
        logActivitySummary(
          {
            logger,
            corps: datasources.corps,
            lastSeq: (corpId) => ingest.index.lastSeq(corpId),
            graphqlRequests: metrics.graphqlRequests,
            upstreamCalls: metrics.upstreamCalls,
            corpsAuthorized: metrics.corpsAuthorized,
          },
          config.logging.summaryIntervalS,
        ),
      );
      return address;
    },
    /**
     * Graceful: refuse new work (/ready 503, /graphql 503), then the shutdown stack in reverse:
     * the listener closes, every live subscription completes and graphql-ws sockets close with
     * 1001, in-flight requests finish and the ingest workers end their current entry (unacked
     * entries are redelivered) within SHUTDOWN_GRACE_MS, what is left is cut, the stores close.
     */
    async stop() {
      if (stopped) return;
      stopped = true;
      draining = true;
      await shutdown.unwind(shutdownGraceMs, (step, error) =>
        logger.error({ err: error, step }, 'shutdown step failed'),
      );
    },
  };
}

/** The demo client's key, when it is the plain demo key (never a configured secret). */
function embeddedDemoKey(config: Config): string | null {
  const demo = config.clients.find((c) => c.id === 'demo' && c.key === 'demo-key');
  return demo ? demo.key : null;
}
