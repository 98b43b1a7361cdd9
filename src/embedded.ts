import { createSimulator } from '../simulator/createSimulator.js';
import { type App, buildApp } from './app.js';
import type { Config } from './config.js';
import type { Logger } from './datasources/Logger.js';

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
export async function startEmbedded(config: Config, logger: Logger): Promise<Running> {
  const sim = createSimulator({
    port: config.sim.port,
    seed: config.sim.seed,
    messageRate: config.sim.messageRate,
    suiteId: config.suite.suiteId,
    suiteSecret: config.suite.suiteSecret,
    callbackToken: config.suite.callbackToken,
    callbackAesKey: config.suite.callbackAesKey,
  });
  const simAddress = await sim.start();
  let app: App | null = null;
  try {
    app = await buildApp({ ...config, wecomApiBase: simAddress.url }, { logger });
    const { port } = await app.start();
    sim.setCallbackUrl(`http://127.0.0.1:${port}/wecom/callback`);
    await sim.beginCallbacks();
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

/** Upstream mode: the gateway alone against WECOM_API_BASE. */
export async function startUpstream(
  config: Config & { wecomApiBase: string },
  logger: Logger,
): Promise<Running> {
  const app = await buildApp(config, { logger });
  const { url } = await app.start();
  return { url, simulatorUrl: null, stop: () => app.stop() };
}
