import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

/** W3C trace context (`traceparent`, `tracestate`) as carried in a queued inbox item. */
export type TraceCarrier = Record<string, string>;

const tracer = trace.getTracer('wecom-archive-gateway/ingest');

/**
 * The active trace context as a carrier for a queued item, or undefined when there is none to
 * carry (tracing off: the API's no-op propagator writes nothing).
 */
export function currentTraceCarrier(): TraceCarrier | undefined {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

/**
 * Runs `work` in a span that continues the trace a queued item carried (the callback request
 * that queued it), so one trace follows a callback through the inbox to the sync, the commit and
 * the published event. Without a carrier the span starts a new trace.
 */
export async function continueTrace<T>(
  carrier: TraceCarrier | undefined,
  name: string,
  attributes: Record<string, string | number>,
  work: () => Promise<T>,
): Promise<T> {
  const parent = carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
  return tracer.startActiveSpan(name, { kind: SpanKind.CONSUMER, attributes }, parent, (span) =>
    endAfter(span, work),
  );
}

/** Runs `work` in a child span of the active one (a step worth seeing in a trace). */
export async function inSpan<T>(
  name: string,
  attributes: Record<string, string | number | boolean>,
  work: () => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, (span) => endAfter(span, work));
}

/** Ends `span` when `work` settles, marked as an error if it failed. */
async function endAfter<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}
