import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from '../config/config.js';

/**
 * The OTLP/HTTP span exporter for `OTEL_EXPORTER_OTLP_ENDPOINT`. The endpoint is a base URL, as
 * the OpenTelemetry spec defines it: traces go to `<endpoint>/v1/traces`.
 */
export function createTraceExporter(config: TracingConfig): SpanExporter {
  const url = `${config.endpoint.replace(/\/+$/, '')}/v1/traces`;
  return config.protocol === 'http/json' ? new OtlpJsonExporter({ url }) : new OtlpProtobufExporter({ url });
}
