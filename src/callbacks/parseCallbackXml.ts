import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CallbackError, shown } from './CallbackError.js';

/** Largest XML document accepted, bytes (UTF-8). Real callbacks are well under 2 KiB. */
export const MAX_CALLBACK_XML_BYTES = 64 * 1024;

// A DTD is the only way to declare entities (billion laughs, external entities); callbacks never
// carry one, so any markup declaration rejects the document before a parser sees it.
const MARKUP_DECLARATION = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Every value stays a string: "00123" or "1e3" must not silently become numbers.
  parseTagValue: false,
  trimValues: true,
  // Without a DTD only the five predefined entities and numeric references can occur; keep those.
  processEntities: true,
  htmlEntities: false,
  isArray: () => false,
  // <xml><Group><Field>…</Field></Group></xml> is three levels (the expiry events' nested
  // <ChatArchiveApi><Edition>); one more gives a clear "must be text" error.
  maxNestedTags: 5,
});

/**
 * Parses a WeCom callback document into field → string. Fields are text children of `<xml>`;
 * one level of grouping is allowed and flattened with a dot (`<ChatArchiveApi><Edition>2`
 * becomes `ChatArchiveApi.Edition: "2"`, docs/upstream.md §8.2). Hostile input (DTDs, entity bombs,
 * deeper nesting, oversize, repeated fields) is a BAD_EVENT naming the problem; nothing here
 * expands anything the sender declared.
 */
export function parseCallbackXml(xml: string, what = 'callback XML'): Record<string, string> {
  const bytes = Buffer.byteLength(xml, 'utf8');
  if (bytes > MAX_CALLBACK_XML_BYTES) {
    throw new CallbackError(
      'BAD_EVENT',
      `${what} must be at most ${MAX_CALLBACK_XML_BYTES} bytes, got ${bytes}`,
    );
  }
  if (MARKUP_DECLARATION.test(xml)) {
    throw new CallbackError('BAD_EVENT', `${what} must not contain a DOCTYPE or other markup declaration`);
  }
  let parsed: unknown;
  try {
    const valid = XMLValidator.validate(xml);
    if (valid !== true) throw new Error(`${valid.err.msg} (line ${valid.err.line})`);
    parsed = parser.parse(xml);
  } catch (error) {
    throw new CallbackError('BAD_EVENT', `${what} must be well-formed XML: ${(error as Error).message}`);
  }
  if (!isRecord(parsed) || Object.keys(parsed).length !== 1 || !isRecord(parsed['xml'])) {
    throw new CallbackError(
      'BAD_EVENT',
      `${what} must have exactly one root element <xml> with child elements`,
    );
  }
  const fields: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(parsed['xml'])) {
    if (!isRecord(value)) {
      fields[name] = textOf(name, value, what);
      continue;
    }
    for (const [child, inner] of Object.entries(value)) {
      fields[`${name}.${child}`] = textOf(`${name}.${child}`, inner, what);
    }
  }
  return fields;
}

function textOf(name: string, value: unknown, what: string): string {
  if (Array.isArray(value)) throw new CallbackError('BAD_EVENT', `${what}: ${name} must appear once`);
  if (typeof value !== 'string') {
    throw new CallbackError('BAD_EVENT', `${what}: ${name} must be text, got ${shown(value)}`);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
