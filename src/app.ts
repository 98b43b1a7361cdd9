import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { lexicographicSortSchema, printSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { WebSocketServer } from 'ws';
import { createAuthenticator } from './auth/authenticate.js';
import { createCallbackHandler } from './callbacks/createCallbackHandler.js';
import type { Config } from './config.js';
import { createConsoleHandler } from './console/serveConsole.js';
import type { Context } from './context.js';
import { createGatewayYoga } from './createGatewayYoga.js';
import { CircuitBreaker } from './datasources/CircuitBreaker.js';
import { createDatasources, type Datasources } from './datasources/createDatasources.js';
import type { Logger } from './datasources/Logger.js';
import type { MessageLookup } from './datasources/ports.js';
import { ErrorCode } from './errors/codes.js';
import { createMaskError } from './errors/maskError.js';
import { createGraphiql } from './graphiql/createGraphiql.js';
import { createIngest, type Ingest } from './ingest/createIngest.js';
import { LANDING_PAGE_CSP, renderLandingPage } from './landingPage.js';
import { createLogger } from './logging/createLogger.js';
import { logActivitySummary } from './logging/logActivitySummary.js';
import { assignRequestId } from './logging/requestId.js';
import { GatewayMetrics } from './metrics/GatewayMetrics.js';
import { watchIngest } from './metrics/watchIngest.js';
import { createProtection } from './plugins/createProtection.js';
import { schema } from './schema/index.js';
import { SubscriptionGroups } from './subscriptions/SubscriptionGroups.js';
import { useSharedSubscriptions } from './subscriptions/useSharedSubscriptions.js';
import { watchSubscriptionGroups } from './subscriptions/watchSubscriptionGroups.js';
import { currentTraceCarrier } from './tracing/inboxTrace.js';
import { wireWebSocket } from './wireWebSocket.js';

export type AppDeps = {
  logger?: Logger;
  /** Overrides the message lookup (defaults to the message index). */
  messages?: MessageLookup;
  /** Envelop plugins that run before every other one (the tracing spans, src/tracing/). */
  plugins?: Plugin<Context>[];
};

export type App = {
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  datasources: Datasources;
  ingest: Ingest;
  metrics: GatewayMetrics;
  breaker: CircuitBreaker;
};

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/**
 * The gateway: yoga on /graphql (HTTP, SSE, graphql-ws on the same path), /wecom/callback,
 * /health, /ready, /metrics. Built apart from started, so tests run it on port 0.
 */
export async function buildApp(config: Config & { wecomApiBase: string }, deps: AppDeps = {}): Promise<App> {
  const logger: Logger = deps.logger ?? createLogger({ level: config.logLevel });
  const metrics = new GatewayMetrics();
  const breaker = new CircuitBreaker({
    ...config.protection.breaker,
    rateLimitBlockMs: config.upstream.rateLimitBlockMs,
  });
  const datasources = await createDatasources(config, logger, {
    breaker,
    observe: metrics.observeUpstream,
    onboarding: (app, kind) => metrics.onboarding.inc({ app, kind }),
  });
  const ingest = createIngest(config, datasources, logger, {
    onGiveUp: (infoType, code) =>
      metrics.callbacksFailed.inc({ info_type: metrics.infoTypeLabel(infoType), code }),
  });
  watchIngest(metrics, ingest, datasources.corps);
  const authenticate = createAuthenticator(config.clients);
  const shutdown = new AbortController();
  const protection = createProtection({
    config: config.protection,
    authenticate,
    redis: datasources.redis,
    prefix: config.redis.prefix,
    logger,
    metrics,
    shutdown: shutdown.signal,
  });
  const groups = config.live.sharedSubscriptions
    ? new SubscriptionGroups({ maxQueue: config.live.maxQueue })
    : null;
  if (groups) watchSubscriptionGroups(metrics.registry, groups);
  const graphiql = createGraphiql();
  const yoga = createGatewayYoga({
    authenticate,
    ds: datasources,
    features: { specapi: config.specapi },
    messages: deps.messages ?? ingest.index,
    ingest,
    logger,
    exposeErrors: config.exposeErrors,
    graphiqlKey: config.mode === 'embedded' ? embeddedDemoKey(config) : null,
    federation: config.federation,
    renderGraphiQL: graphiql.render,
    // Last, so it wraps the subscribe every other plugin has set.
    plugins: [
      ...(deps.plugins ?? []),
      ...protection.plugins,
      ...(groups ? [useSharedSubscriptions(groups)] : []),
    ],
  });
  const callback = createCallbackHandler({
    suite: config.suite,
    displaySuite: config.displaySuite,
    displayTokens: datasources.display.tokens,
    providerCorpId: config.providerCorpId,
    onIgnored: (infoType, reason) =>
      metrics.callbacksIgnored.inc({ info_type: metrics.infoTypeLabel(infoType), reason }),
    maxSkewS: config.callbackMaxSkewS,
    kv: datasources.kv,
    tokens: datasources.tokens,
    auth: ingest.auth,
    // Acknowledged only once durably queued (authorization events too); the workers do the rest.
    onEvent: (event) => {
      const trace = currentTraceCarrier();
      return ingest.inbox.push({ event, receivedAt: Date.now(), ...(trace ? { trace } : {}) });
    },
    queueAuthEvents: true,
    logger,
  });
  const consolePage = createConsoleHandler({
    // Content preview only against a simulator: embedded mode's own, or one named explicitly.
    simulatorRenderBase:
      config.display.consoleSimulatorUrl ??
      (config.mode === 'embedded' ? (config.wecomApiBase ?? null) : null),
  });
  const schemaPublic = config.protection.introspection;
  const landingPage = renderLandingPage({
    mode: config.mode,
    demoKey: config.mode === 'embedded' ? embeddedDemoKey(config) : null,
    simulatorUrl: config.mode === 'embedded' ? (config.wecomApiBase ?? null) : null,
    schemaPublic,
  });
  let printedSchema: string | null = null;
  const { maxBodyBytes, shutdownGraceMs } = config.protection;
  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | null = null;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/graphql') {
      assignRequestId(req, res);
      if (draining)
        return refuse(
          res,
          503,
          ErrorCode.SHUTTING_DOWN,
          'the gateway is shutting down; retry on another replica',
        );
      const tooLarge = bodyTooLarge(req, maxBodyBytes);
      if (tooLarge) {
        metrics.rejections.inc({ protection: 'body' });
        return refuse(res, tooLarge.status, ErrorCode.REQUEST_TOO_LARGE, tooLarge.message);
      }
      return yoga.handle(req, res);
    }
    if (path?.startsWith('/graphiql/')) return graphiql.handle(req, res);
    if (path === '/wecom/callback') return callback(req, res);
    if (path === '/console' || path?.startsWith('/console/')) return consolePage(req, res);
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': LANDING_PAGE_CSP,
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : landingPage);
      return;
    }
    // The SDL only where introspection is open to every client anyway (embedded mode by default).
    if (path === '/schema.graphql' && schemaPublic) {
      printedSchema ??= `${printSchema(lexicographicSortSchema(schema))}\n`;
      res.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'x-content-type-options': 'nosniff',
      });
      res.end(printedSchema);
      return;
    }
    if (path === '/health') return send(res, 200, { status: 'ok' });
    if (path === '/ready') {
      if (draining) return send(res, 503, { status: 'unavailable', reason: 'shutting down' });
      try {
        await datasources.ping();
        return send(res, 200, { status: 'ready' });
      } catch (error) {
        return send(res, 503, { status: 'unavailable', reason: (error as Error).message });
      }
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(await metrics.registry.metrics());
      return;
    }
    send(res, 404, { error: `no route ${path}` });
  }

  const server: Server = createServer((req, res) => {
    // In flight until the response is finished or the connection dropped: the shutdown waits for it.
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    });
    route(req, res).catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, 'request failed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  let wss: WebSocketServer | null = null;
  let stopped = false;
  let stopSummary = (): void => {};

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
          wss = wireWebSocket(server, yoga, {
            maxPayloadBytes: maxBodyBytes,
            maskError: createMaskError(config.exposeErrors),
            metrics,
            logger,
          });
          const { port } = server.address() as AddressInfo;
          resolve({ url: `http://${config.host}:${port}`, port });
        });
      });
      // Workers start now; the start-up catch-up of every corp runs in the background.
      ingest.start().catch((error: unknown) => logger.error({ err: error }, 'ingestion start failed'));
      stopSummary = logActivitySummary(
        {
          logger,
          corps: datasources.corps,
          lastSeq: (corpId) => ingest.index.lastSeq(corpId),
          graphqlRequests: metrics.graphqlRequests,
          upstreamCalls: metrics.upstreamCalls,
        },
        config.logging.summaryIntervalS,
      );
      return address;
    },
    /**
     * Graceful: refuse new work (/ready 503, /graphql 503, listener closed), complete every live
     * subscription and close graphql-ws sockets with 1001, let in-flight requests finish and the
     * ingest workers end their current entry (unacked entries are redelivered) within
     * SHUTDOWN_GRACE_MS, then cut what is left and close the stores.
     */
    async stop() {
      if (stopped) return;
      stopped = true;
      draining = true;
      stopSummary();
      const deadline = Date.now() + shutdownGraceMs;
      const left = (): number => Math.max(0, deadline - Date.now());
      const closed = server.listening
        ? new Promise<void>((resolve) => server.close(() => resolve()))
        : Promise.resolve();
      // Every live subscription completes first (graphql-ws `complete`, SSE `event: complete`),
      // then graphql-ws sockets close with 1001 behind those frames.
      shutdown.abort();
      await new Promise((resolve) => setImmediate(resolve));
      const sockets = wss ? [...wss.clients] : [];
      for (const socket of sockets) socket.close(1001, 'server shutting down');
      server.closeIdleConnections();
      const wsClosed = Promise.all(
        sockets.map((s) => (s.readyState === s.CLOSED ? null : new Promise((r) => s.once('close', r)))),
      );
      const httpDrained = inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => (drained = r));
      await Promise.race([Promise.all([wsClosed, httpDrained]), delay(left(), undefined, { ref: false })]);
      for (const socket of wss?.clients ?? []) socket.terminate();
      if (wss) await new Promise<void>((resolve) => wss!.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      const ingestStopped = ingest.stop().then(
        () => true,
        (error: unknown) => {
          logger.error({ err: error }, 'ingest stop failed');
          return true;
        },
      );
      const finished = await Promise.race([
        ingestStopped,
        delay(Math.max(left(), 1000), false, { ref: false }),
      ]);
      if (!finished)
        logger.warn(
          { graceMs: shutdownGraceMs },
          'ingest still busy at shutdown; unacked entries will be redelivered',
        );
      await datasources.close();
    },
  };
}

/** The demo client's key, when it is the plain demo key (never a configured secret). */
function embeddedDemoKey(config: Config): string | null {
  const demo = config.clients.find((c) => c.id === 'demo' && c.key === 'demo-key');
  return demo ? demo.key : null;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, JSON_HEADERS);
  res.end(JSON.stringify(body));
}

/** A coded GraphQL-shaped error for requests refused before yoga sees them. */
function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { ...JSON_HEADERS, connection: 'close' });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
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
