import { createSimulator } from '../simulator/createSimulator.js';
import { type App, type AppDeps, buildApp } from './app.js';
import type { Config } from './config/config.js';
import type { Logger } from './logging/Logger.js';

export type Running = {
  url: string;
  /** The embedded simulator's base URL (its control API is under /__sim); null in upstream mode. */
  simulatorUrl: string | null;
  stop(): Promise<void>;
};

/**
 * Embedded mode: the simulator in-process, the gateway pointed at it, then the simulator's
 * callbacks (suite_ticket, create_auth per demo corp) sent to the gateway's real callback
 * endpoint, so the demo corps are authorized the way real ones are.
 */
export async function startEmbedded(
  config: Config,
  logger: Logger,
  deps: Omit<AppDeps, 'logger'> = {},
): Promise<Running> {
  const sim = createSimulator({
    port: config.sim.port,
    seed: config.sim.seed,
    messageRate: config.sim.messageRate,
    suiteId: config.suite.suiteId,
    suiteSecret: config.suite.suiteSecret,
    callbackToken: config.suite.callbackToken,
    callbackAesKey: config.suite.callbackAesKey,
    providerCorpId: config.providerCorpId,
    displaySuiteId: config.displaySuite.suiteId,
    displaySuiteSecret: config.displaySuite.suiteSecret,
    displayCallbackToken: config.displaySuite.callbackToken,
    displayCallbackAesKey: config.displaySuite.callbackAesKey,
    displayAppKind: config.displayAppKind,
    // The embedded demo keeps the CUSTOM analysis path alive only when it is switched on.
    specapi: config.specapi ? 'online' : 'offline',
  });
  const simAddress = await sim.start();
  let app: App | null = null;
  try {
    app = await buildApp({ ...config, wecomApiBase: simAddress.url }, { ...deps, logger });
    const { port } = await app.start();
    sim.setCallbackUrl(`http://127.0.0.1:${port}/wecom/callback`);
    await sim.beginCallbacks();
    // Ready means the demo corps can be queried: main.ts prints its banner after this, so the
    // onboarding lines come before it and the GraphiQL URL is the last thing on screen.
    await untilOnboarded(
      app,
      sim.state.corpList().map((c) => c.corpId),
      logger,
    );
    const url = `http://${config.host}:${port}`;
    return {
      url,
      simulatorUrl: simAddress.url,
      async stop() {
        await app?.stop();
        await sim.stop();
      },
    };
  } catch (error) {
    await app?.stop().catch(() => {});
    await sim.stop();
    throw error;
  }
}

/**
 * Waits (at most 30 s, then warns and goes on) until every demo corp is ACTIVE with a public key
 * and its onboarding has said so (the `corp authorized` line comes after the key is visible, and
 * must come before the banner).
 */
async function untilOnboarded(app: App, corpIds: string[], logger: Logger): Promise<void> {
  const deadline = Date.now() + 30_000;
  const announced = async () =>
    (await app.metrics.corpsAuthorized.get()).values.find((v) => v.labels['app'] === 'archive')?.value ?? 0;
  for (;;) {
    const ready = await Promise.all(
      corpIds.map(async (id) => {
        const corp = await app.datasources.corps.get(id);
        return corp?.status === 'ACTIVE' && (await app.datasources.keys.current(id)) !== null;
      }),
    );
    if (ready.every(Boolean) && (await announced()) >= corpIds.length) return;
    if (Date.now() > deadline) {
      logger.warn(
        { corps: corpIds.length, ready: ready.filter(Boolean).length },
        'demo corps not all onboarded yet',
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Upstream mode: the gateway alone against WECOM_API_BASE. */
export async function startUpstream(
  config: Config & { wecomApiBase: string },
  logger: Logger,
  deps: Omit<AppDeps, 'logger'> = {},
): Promise<Running> {
  const app = await buildApp(config, { ...deps, logger });
  const { url } = await app.start();
  return { url, simulatorUrl: null, stop: () => app.stop() };
}
