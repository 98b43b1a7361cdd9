import { ConfigError, loadConfig } from './config/config.js';
import { createLogger } from './logging/createLogger.js';
import type { Tracing } from './tracing/startTracing.js';

/**
 * Entry point: read config, start tracing when configured, start, stop on SIGTERM/SIGINT.
 * Everything that touches ioredis, pg or node:http is imported only after tracing started: the
 * instrumentations can patch a module only if they are in place before it is first loaded.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const tracing: Tracing | null = config.tracing
    ? await (await import('./tracing/startTracing.js')).startTracing(config.tracing)
    : null;
  const { startEmbedded, startUpstream } = await import('./embedded.js');
  // The GraphQL spans (parse, validate, execute) come from envelop plugins, loaded after the SDK.
  const deps = {
    plugins: tracing
      ? await (await import('./plugins/graphqlTracingPlugins.js')).graphqlTracingPlugins()
      : [],
  };
  const running =
    config.mode === 'embedded'
      ? await startEmbedded(config, logger, deps)
      : await startUpstream({ ...config, wecomApiBase: config.wecomApiBase! }, logger, deps);
  if (tracing) logger.info({ endpoint: config.tracing?.endpoint }, 'tracing on (OTLP)');

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
    running
      .stop()
      // Spans of the last requests are still batched; flush them before the process ends.
      .then(() => tracing?.shutdown())
      .then(
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
