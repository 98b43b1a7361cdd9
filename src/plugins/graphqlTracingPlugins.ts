import { useOpenTelemetry } from '@envelop/opentelemetry';
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { type DefinitionNode, Kind, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../resolvers/context.js';

const TRACER = 'wecom-archive-gateway/graphql';

/**
 * GraphQL spans under the HTTP (or graphql-ws) request span: `graphql.parse`,
 * `graphql.validate` (ours: @envelop/opentelemetry 9 traces execution only) and
 * `<type>.<operation name>` for execute and subscribe (@envelop/opentelemetry). Operation name
 * and type only: never variables, results or the document (inline arguments are values too).
 */
export async function graphqlTracingPlugins(): Promise<Plugin<Context>[]> {
  const tracer = trace.getTracer(TRACER);
  const phase = (name: string, operationName: string | undefined): Span =>
    tracer.startSpan(
      name,
      { kind: SpanKind.INTERNAL, attributes: { 'graphql.operation.name': operationName ?? 'anonymous' } },
      context.active(),
    );
  const parseAndValidate: Plugin<Context> = {
    onParse({ params }) {
      const span = phase('graphql.parse', operationNameOf(params));
      return ({ result }) => {
        if (result instanceof Error) span.setStatus({ code: SpanStatusCode.ERROR, message: result.message });
        span.end();
      };
    },
    onValidate({ params }) {
      const operation = params.documentAST.definitions.find(
        (d: DefinitionNode) => d.kind === Kind.OPERATION_DEFINITION,
      ) as OperationDefinitionNode | undefined;
      const span = phase('graphql.validate', operation?.name?.value);
      return ({ valid }) => {
        if (!valid) span.setStatus({ code: SpanStatusCode.ERROR, message: 'invalid operation' });
        span.end();
      };
    },
  };
  const execution = useOpenTelemetry(
    { resolvers: false, variables: false, result: false, document: false },
    trace.getTracerProvider(),
    SpanKind.INTERNAL,
    {},
    TRACER,
  ) as Plugin<Context>;
  return [parseAndValidate, execution];
}

function operationNameOf(params: { source: unknown }): string | undefined {
  const source = params.source;
  const text = typeof source === 'string' ? source : (source as { body?: string } | null)?.body;
  return text ? /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(text)?.[1] : undefined;
}
