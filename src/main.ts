import { ConfigError, loadConfig } from './config.js';
import { type Running, startEmbedded, startUpstream } from './embedded.js';
import { createLogger } from './logging/createLogger.js';

/** Entry point: read config, start, stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const running: Running =
    config.mode === 'embedded'
      ? await startEmbedded(config, logger)
      : await startUpstream({ ...config, wecomApiBase: config.wecomApiBase! }, logger);

  // The banner is printed once the gateway is ready (embedded: the demo corps onboarded), so it is
  // the last thing on screen; everything routine after it logs at debug.
  const graphiql = `${running.url}/graphql`;
  if (config.mode === 'embedded') {
    const demo = config.clients.find((c) => c.key === 'demo-key');
    console.log(`Gateway:  ${running.url}/ (start here)`);
    console.log(`GraphiQL: ${graphiql}`);
    console.log(`Console:  ${running.url}/console`);
    console.log(
      demo ? 'API key:  demo-key (Authorization: Bearer demo-key)' : 'API keys: from GATEWAY_CLIENTS',
    );
  } else {
    console.log(`GraphQL: ${graphiql} (upstream ${config.wecomApiBase})`);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: config.protection.shutdownGraceMs }, 'stopping');
    // app.stop bounds itself by the grace period; this is the last resort if something hangs anyway.
    setTimeout(() => {
      logger.error({ signal }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.protection.shutdownGraceMs + 10_000).unref();
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
