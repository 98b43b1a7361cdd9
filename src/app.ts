import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { WebSocketServer } from 'ws';
import { createAuthenticator } from './auth/authenticate.js';
import { createCallbackHandler } from './callbacks/createCallbackHandler.js';
import type { Config } from './config.js';
import { createGatewayYoga } from './createGatewayYoga.js';
import { createDatasources, type Datasources } from './datasources/createDatasources.js';
import type { Logger } from './datasources/Logger.js';
import type { MessageLookup } from './datasources/ports.js';
import { createIngest, type Ingest } from './ingest/createIngest.js';
import { wireWebSocket } from './wireWebSocket.js';

export type AppDeps = {
  logger?: Logger;
  /** Overrides the message lookup (defaults to the message index). */
  messages?: MessageLookup;
};

export type App = {
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  datasources: Datasources;
  ingest: Ingest;
};

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/**
 * The gateway: yoga on /graphql (HTTP, SSE, graphql-ws on the same path), /wecom/callback,
 * /health, /ready, /metrics. Built apart from started, so tests run it on port 0.
 */
export async function buildApp(config: Config & { wecomApiBase: string }, deps: AppDeps = {}): Promise<App> {
  const logger: Logger = deps.logger ?? pino({ level: config.logLevel, name: 'gateway' });
  const datasources = await createDatasources(config, logger);
  const ingest = createIngest(config, datasources, logger);
  const yoga = createGatewayYoga({
    authenticate: createAuthenticator(config.clients),
    ds: datasources,
    messages: deps.messages ?? ingest.index,
    ingest,
    logger,
    exposeErrors: config.exposeErrors,
    graphiqlKey: config.mode === 'embedded' ? embeddedDemoKey(config) : null,
  });
  const callback = createCallbackHandler({
    suite: config.suite,
    maxSkewS: config.callbackMaxSkewS,
    kv: datasources.kv,
    tokens: datasources.tokens,
    auth: ingest.auth,
    // Acknowledged only once durably queued (authorization events too); the workers do the rest.
    onEvent: (event) => ingest.inbox.push({ event, receivedAt: Date.now() }),
    queueAuthEvents: true,
    logger,
  });
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/graphql') return yoga.handle(req, res);
    if (path === '/wecom/callback') return callback(req, res);
    if (path === '/health') return send(res, 200, { status: 'ok' });
    if (path === '/ready') {
      try {
        await datasources.ping();
        return send(res, 200, { status: 'ready' });
      } catch (error) {
        return send(res, 503, { status: 'unavailable', reason: (error as Error).message });
      }
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': metrics.contentType });
      res.end(await metrics.metrics());
      return;
    }
    send(res, 404, { error: `no route ${path}` });
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, 'request failed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  let wss: WebSocketServer | null = null;
  let stopped = false;

  return {
    datasources,
    ingest,
    async start() {
      const address = await new Promise<{ url: string; port: number }>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          wss = wireWebSocket(server, yoga);
          const { port } = server.address() as AddressInfo;
          resolve({ url: `http://${config.host}:${port}`, port });
        });
      });
      // Workers start now; the start-up catch-up of every corp runs in the background.
      ingest.start().catch((error: unknown) => logger.error({ err: error }, 'ingestion start failed'));
      return address;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (wss) {
        for (const socket of wss.clients) socket.terminate();
        await new Promise<void>((resolve) => wss!.close(() => resolve()));
      }
      if (server.listening) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      }
      await ingest.stop();
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
