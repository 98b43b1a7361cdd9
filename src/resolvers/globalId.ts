import { badUserInput } from '../errors/codes.js';

/**
 * Relay global ids: base64url(`Type:rawId`). The relay plugin is configured with these two
 * functions, so resolvers that take an `ID!` argument decode exactly what `node` would.
 */
export function encodeGlobalId(typename: string, rawId: string | number | bigint): string {
  return Buffer.from(`${typename}:${rawId}`, 'utf8').toString('base64url');
}

export function decodeGlobalId(globalId: string, field = 'id'): { typename: string; id: string } {
  const text = /^[A-Za-z0-9_-]+={0,2}$/.test(globalId)
    ? Buffer.from(globalId, 'base64url').toString('utf8')
    : '';
  const match = /^([A-Z][A-Za-z]*):(.+)$/s.exec(text);
  if (!match) {
    throw badUserInput(
      `${field} must be a global id returned by this API, got ${JSON.stringify(globalId)}`,
      field,
      globalId,
    );
  }
  return { typename: match[1]!, id: match[2]! };
}

/** Decodes and checks the type: `updateKeywordRule(id:)` must get a KeywordRule id. */
export function decodeTypedId(globalId: string, typename: string, field = 'id'): string {
  const decoded = decodeGlobalId(globalId, field);
  if (decoded.typename !== typename) {
    throw badUserInput(
      `${field} must be the id of a ${typename}, got the id of a ${decoded.typename}`,
      field,
      globalId,
    );
  }
  return decoded.id;
}

/** Types `node(id:)` can load; any other typename in an id is the client's mistake, not ours. */
export const NODE_TYPENAMES = [
  'Corp',
  'Chat',
  'Message',
  'KeywordRule',
  'AnalysisTask',
  'ExportTask',
] as const;

export function decodeNodeId(globalId: string): { typename: string; id: string } {
  const decoded = decodeGlobalId(globalId);
  if (!(NODE_TYPENAMES as readonly string[]).includes(decoded.typename)) {
    throw badUserInput(
      `id must be the id of a ${NODE_TYPENAMES.join(', ')}; got a ${JSON.stringify(decoded.typename)} id`,
      'id',
      globalId,
    );
  }
  return decoded;
}
