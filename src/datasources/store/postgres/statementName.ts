import { createHash } from 'node:crypto';

/**
 * A name per distinct statement text (a handful: one per filter combination; never for a text
 * that grows with the data, such as one naming day partitions), so each
 * connection prepares it once and keeps its plan (createPgPool: generic plans).
 */
export function statementName(text: string): string {
  let known = STATEMENT_NAMES.get(text);
  if (known === undefined) {
    known = `messages_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    STATEMENT_NAMES.set(text, known);
  }
  return known;
}
const STATEMENT_NAMES = new Map<string, string>();
