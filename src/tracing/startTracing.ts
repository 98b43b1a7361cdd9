import { register } from 'node:module';
import type { TracingConfig } from '../config/config.js';

export type Tracing = {
  /** Flushes the spans still queued and stops exporting. */
  shutdown(): Promise<void>;
};

/**
 * Starts the OpenTelemetry SDK. Must run before anything imports ioredis, pg or node:http
 * consumers: the ESM loader hook registered first is what lets the instrumentations patch
 * modules that are `import`ed (require hooks alone never see an ESM import). Everything here is
 * imported dynamically, so with tracing off not one OpenTelemetry SDK module is loaded.
 */
export async function startTracing(config: TracingConfig): Promise<Tracing> {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const [{ NodeSDK }, { instrumentations }, { createTraceExporter }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('./instrumentations.js'),
    import('./createTraceExporter.js'),
  ]);
  const sdk = new NodeSDK({
    serviceName: config.serviceName,
    traceExporter: createTraceExporter(config),
    instrumentations: instrumentations(),
    // Traces only: metrics stay on /metrics (Prometheus) and logs on stdout; without these the
    // SDK would also start OTLP metric and log exporters towards the same endpoint.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
