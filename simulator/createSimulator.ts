import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminRoutes } from './api/adminRoutes.js';
import { agreeRoutes } from './api/agreeRoutes.js';
import { analyzeRoutes } from './api/analyzeRoutes.js';
import { chatRoutes } from './api/chatRoutes.js';
import { exportRoutes } from './api/exportRoutes.js';
import { gettokenRoutes } from './api/gettokenRoutes.js';
import { jsapiRoutes } from './api/jsapiRoutes.js';
import { keywordRoutes } from './api/keywordRoutes.js';
import { serviceRoutes } from './api/serviceRoutes.js';
import { specapiRoutes } from './api/specapiRoutes.js';
import { syncRoutes } from './api/syncRoutes.js';
import { CallbackEmitter, type UrlVerification } from './callbacks/CallbackEmitter.js';
import { handleControl } from './control/handleControl.js';
import { SimState } from './domain/SimState.js';
import { CallStats } from './http/CallStats.js';
import { Delays } from './http/Delays.js';
import { FaultInjector } from './http/FaultInjector.js';
import { handleUpstream } from './http/handleUpstream.js';
import { ConcurrencyLimiter, FrequencyLimiter } from './http/Limits.js';
import type { Route } from './http/Route.js';
import { sendJson } from './http/sendJson.js';
import { DEFAULT_SIMULATOR_OPTIONS, type SimulatorOptions } from './simulatorOptions.js';

export type Simulator = {
  /** Listens only; no callback is sent before beginCallbacks(). */
  start(): Promise<{ url: string; port: number }>;
  /** Stops timers, pending callbacks and the server; never hangs. */
  stop(): Promise<void>;
  /**
   * As WeCom when a provider saves its callback URL: the GET URL verification first (counted in
   * /__sim/stats); then, for each app, suite_ticket and create_auth per demo corp; then the
   * periodic tickets and live traffic.
   */
  beginCallbacks(): Promise<void>;
  /** The GET URL verification now (receiveid = the provider corpid), recorded for /__sim/stats. */
  verifyCallbackUrl(): Promise<UrlVerification[]>;
  setCallbackUrl(url: string): void;
  readonly url: string;
  readonly options: SimulatorOptions;
  /** The simulated world, for in-process tests and tools. */
  readonly state: SimState;
};

export function createSimulator(overrides: Partial<SimulatorOptions> = {}): Simulator {
  const options: SimulatorOptions = { ...DEFAULT_SIMULATOR_OPTIONS, ...overrides };
  const emitter = new CallbackEmitter({
    url: options.callbackUrl,
    token: options.callbackToken,
    encodingAesKey: options.callbackAesKey,
    receiveId: options.suiteId,
    display: {
      token: options.displayCallbackToken,
      encodingAesKey: options.displayCallbackAesKey,
      receiveId: options.displaySuiteId,
    },
    tries: options.callbackTries,
    timeoutMs: options.callbackTimeoutMs,
    retryDelayMs: options.callbackRetryDelayMs,
  });
  const state = new SimState(options, emitter);
  const routes = new Map<string, Route>(
    [
      serviceRoutes(),
      syncRoutes(),
      chatRoutes(),
      keywordRoutes(),
      agreeRoutes(),
      analyzeRoutes(),
      exportRoutes(),
      adminRoutes(),
      jsapiRoutes(),
      gettokenRoutes(),
      specapiRoutes(),
    ]
      .flat()
      .map((r) => [r.path, r]),
  );
  const stats = new CallStats();
  const faults = new FaultInjector();
  const frequency = new FrequencyLimiter(() => state.clock.nowMs());
  const concurrency = new ConcurrencyLimiter();
  const delays = new Delays();
  const upstream = { state, routes, stats, faults, frequency, concurrency, delays };
  const verifications: UrlVerification[] = [];
  /** The GET of each distinct callback crypto (one when both apps share it), as WeCom sends them. */
  const verifyCallbackUrl = async (): Promise<UrlVerification[]> => {
    const sameCrypto =
      options.displayCallbackToken === options.callbackToken &&
      options.displayCallbackAesKey === options.callbackAesKey;
    const results = [await emitter.verifyUrl(options.providerCorpId, 'archive')];
    if (!sameCrypto) results.push(await emitter.verifyUrl(options.providerCorpId, 'display'));
    verifications.push(...results);
    return results;
  };
  const control = {
    state,
    stats,
    faults,
    frequency,
    deliveries: () => emitter.deliveries(),
    firstEventSeq: () => emitter.firstEventSeq(),
    verifications: () => verifications,
    verifyCallbackUrl,
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const work = url.pathname.startsWith('/__sim/')
      ? handleControl(control, req, res, url)
      : handleUpstream(upstream, req, res, url);
    work.catch((e: unknown) => sendJson(res, 400, { error: (e as Error).message }));
  });
  const intervals: NodeJS.Timeout[] = [];
  let url = '';

  const every = (ms: number, fn: () => void) => {
    const t = setInterval(fn, ms);
    t.unref();
    intervals.push(t);
  };

  return {
    options,
    state,
    get url() {
      return url;
    },
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          const { port } = server.address() as AddressInfo;
          url = `http://${options.host}:${port}`;
          resolve({ url, port });
        });
      }),
    verifyCallbackUrl,
    async beginCallbacks() {
      // WeCom checks the URL when it is saved; a receiver that fails it never gets an event.
      // The simulator goes on anyway, so a test sees both the failed check and what follows.
      await verifyCallbackUrl();
      const apps = ['archive', 'display'] as const;
      const pushTicket = (app: (typeof apps)[number]) => {
        const ticket = state.suiteOf(app).issueTicket();
        const timeStamp = state.suiteOf(app).ticketTimeStamp(ticket)!;
        return emitter.send('suite_ticket', { SuiteTicket: ticket, TimeStamp: timeStamp }, app);
      };
      // The tickets first (a receiver needs one before it can exchange auth codes), then every
      // corp authorizes both apps at once.
      await Promise.all(apps.map(pushTicket));
      await Promise.all(
        apps.flatMap((app) =>
          state
            .corpList()
            .map((corp) => emitter.send('create_auth', { AuthCode: state.authorize(corp, app) }, app)),
        ),
      );
      every(options.suiteTicketIntervalMs, () => {
        for (const app of apps) void pushTicket(app);
      });
      if (options.messageRate > 0) every(Math.max(10, 1000 / options.messageRate), () => state.liveTick());
      state.notifier.startBatching(options.newMessageBatchMs);
    },
    setCallbackUrl: (next) => emitter.setUrl(next),
    async stop() {
      for (const t of intervals.splice(0)) clearInterval(t);
      state.stopTimers();
      delays.cancelAll();
      await emitter.close();
      await new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
