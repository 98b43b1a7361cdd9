import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from '../src/schema/index.js';

/** Prints the schema to schema.graphql; `--check` exits 1 when the committed file is stale. */
export const SCHEMA_PATH = fileURLToPath(new URL('../schema.graphql', import.meta.url));

export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const printed = printedSchema();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(SCHEMA_PATH, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== printed) {
      console.error('schema.graphql is stale: run npm run schema:print');
      process.exit(1);
    }
    console.log('schema.graphql is up to date');
  } else {
    writeFileSync(SCHEMA_PATH, printed);
    console.log(`wrote ${SCHEMA_PATH}`);
  }
}
