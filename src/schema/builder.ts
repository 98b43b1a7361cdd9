import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import { GraphQLError, Kind } from 'graphql';
import type { Context } from '../context.js';
import { decodeNodeId, encodeGlobalId } from '../resolvers/globalId.js';

/**
 * The one Pothos builder: plugins and scalars only. Types live in one file per domain type.
 * Access checks are explicit in the resolvers (src/resolvers/forCorp.ts) rather than a plugin,
 * so each check sits next to the upstream call it protects.
 */
export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    DateTime: { Input: Date; Output: Date | number | string };
    File: { Input: File; Output: never };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  defaultFieldNullability: false,
  plugins: [RelayPlugin],
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesQueryOptions: false,
    nodeQueryOptions: {
      description: 'Any object by global id; the same corp and scope rules as every other path.',
    },
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    encodeGlobalID: (typename, id) => encodeGlobalId(typename, id),
    decodeGlobalID: (globalId) => decodeNodeId(globalId),
  },
});

builder.queryType({});
builder.mutationType({});

/** Unix seconds (numbers) and Dates serialize as ISO-8601 strings; input must be ISO-8601. */
builder.scalarType('DateTime', {
  description: 'An ISO-8601 instant, e.g. 2024-04-08T01:33:20.000Z.',
  serialize: (value) => {
    const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
    if (Number.isNaN(date.getTime())) throw new GraphQLError(`DateTime cannot represent ${String(value)}`);
    return date.toISOString();
  },
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO-8601 string');
    return parseDate(ast.value);
  },
});

builder.scalarType('File', {
  description: 'A file upload (GraphQL multipart request spec).',
  serialize: () => {
    throw new GraphQLError('File is an input-only scalar');
  },
  parseValue: (value) => {
    if (typeof value === 'object' && value !== null && typeof (value as File).arrayBuffer === 'function') {
      return value as File;
    }
    throw new GraphQLError('File must be a multipart upload');
  },
});

function parseDate(value: unknown): Date {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new GraphQLError(
    `DateTime must be an ISO-8601 string like 2024-04-08T01:33:20Z, got ${JSON.stringify(value)}`,
    {
      extensions: { code: 'BAD_USER_INPUT' },
    },
  );
}
