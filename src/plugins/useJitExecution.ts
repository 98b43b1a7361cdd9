// Kept over @envelop/graphql-jit 11.2.1: `bench --only=overhead --quick`, alternated, rps ratio vs bare yoga (0 ms | 30 ms), 2026-12-05, load avg 10-15 on 2 cores:
// home page .27/.04 overview .36/.14 | page .45/.57 overview .34/.12; envelop page .28/.22/.43 overview .10/.10/.33 | page .29/.15/.42 overview .20/.09/.16.
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  Kind,
  type SelectionSetNode,
  type SourceLocation,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';

export type JitOptions = {
  /**
   * Compile an operation on its n-th execution (default 2): a document sent once is cheaper to
   * interpret than to compile (1–5 ms), a repeated one is 3–5× faster compiled.
   */
  compileAfter?: number;
  /**
   * Documents selecting more fields than this (fragments expanded) are always interpreted:
   * compiling takes about 0.1 ms per field, so a huge document would stall the event loop.
   */
  maxFields?: number;
  /** Told of every operation compiled, once it is (tests, diagnostics); not of a failed compilation. */
  onCompile?: (operationName: string | null) => void;
};

type Entry = { runs: number; compiled: CompiledQuery | null | undefined };
type ExecuteFn = (args: ExecutionArgs) => unknown;

/**
 * Queries run through graphql-jit: each (schema, document, operation name) is compiled once into
 * plain JS that resolves the selection without the interpreter's per-field bookkeeping. Same
 * resolvers, same context, same results; what the executors word differently is put back:
 *  - variables the compiled query refuses (no resolver has run) are handed to yoga's executor,
 *    which words the errors;
 *  - execution errors become graphql-js errors (source positions, originalError), so masking
 *    and the response (locations, codes) are as with the interpreter, including the errors
 *    the executor raises itself (non-null violations are masked as before).
 * Mutations and subscriptions, documents that fail to compile and documents not yet seen
 * `compileAfter` times keep yoga's executor.
 * @envelop/graphql-jit (figures at the top) was not faster here, and it compiles every document on
 * first sight, mutations included, and answers errors in graphql-jit's shape, not the interpreter's.
 */
export function useJitExecution(options: JitOptions = {}): Plugin {
  const compileAfter = Math.max(1, options.compileAfter ?? 2);
  const maxFields = options.maxFields ?? 300;
  const bySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, Entry>>>();

  const compiledFor = (args: ExecutionArgs): CompiledQuery | null => {
    let byDocument = bySchema.get(args.schema);
    if (!byDocument) {
      byDocument = new WeakMap();
      bySchema.set(args.schema, byDocument);
    }
    // yoga's parser cache hands out one DocumentNode per text, so this lives as long as that entry.
    let entries = byDocument.get(args.document);
    if (!entries) {
      entries = new Map();
      byDocument.set(args.document, entries);
    }
    const name = args.operationName ?? '';
    let entry = entries.get(name);
    if (!entry) {
      const operation = getOperationAST(args.document, args.operationName);
      const compilable =
        operation?.operation === 'query' &&
        fieldCount(operation.selectionSet, args.document, maxFields) <= maxFields;
      entry = { runs: 0, compiled: compilable ? undefined : null };
      entries.set(name, entry);
    }
    if (entry.compiled !== undefined) return entry.compiled;
    if (++entry.runs < compileAfter) return null;
    entry.compiled = compile(args);
    if (entry.compiled) options.onCompile?.(args.operationName ?? null);
    return entry.compiled;
  };

  return {
    // The choice is made when the executor runs, not here: createGatewayYoga puts this plugin
    // first, so the plugins after it (tracing: the execute span's context) wrap the compiled
    // executor as they wrap yoga's, and an operation a later plugin refuses (no client, rate
    // limit) never counts towards a compilation.
    onExecute({ executeFn, setExecuteFn }) {
      const interpret = executeFn as ExecuteFn;
      setExecuteFn(((executionArgs: ExecutionArgs) => {
        const compiled = compiledFor(executionArgs);
        return compiled ? runCompiled(compiled, executionArgs, interpret) : interpret(executionArgs);
      }) as typeof executeFn);
    },
  };
}

/** Fields selected, fragments expanded where spread; stops counting past `limit`. */
function fieldCount(set: SelectionSetNode, document: DocumentNode, limit: number): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  }
  let count = 0;
  const walk = (selections: SelectionSetNode, depth: number): void => {
    for (const selection of selections.selections) {
      if (count > limit || depth > 64) {
        count = limit + 1;
        return;
      }
      if (selection.kind === Kind.FIELD) {
        count++;
        if (selection.selectionSet) walk(selection.selectionSet, depth + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, depth + 1);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment.selectionSet, depth + 1);
      }
    }
  };
  walk(set, 0);
  return count;
}

function compile(args: ExecutionArgs): CompiledQuery | null {
  try {
    const compiled = compileQuery(args.schema, args.document, args.operationName ?? undefined);
    return isCompiledQuery(compiled) ? compiled : null;
  } catch {
    return null;
  }
}

function runCompiled(compiled: CompiledQuery, args: ExecutionArgs, interpret: ExecuteFn): unknown {
  const result = compiled.query(args.rootValue, args.contextValue, args.variableValues);
  if (result instanceof Promise) return result.then((r: ExecutionResult) => settle(r, args, interpret));
  return settle(result as ExecutionResult, args, interpret);
}

function settle(result: ExecutionResult, args: ExecutionArgs, interpret: ExecuteFn): unknown {
  // Only refused variables end without `data`: nothing ran, so the interpreter may word them.
  if (!('data' in result)) return interpret(args);
  if (!result.errors?.length) return result;
  const errors = firstPerNulledField(result.errors, result.data).map((error) =>
    asInterpreterError(error, args.document),
  );
  // Errors first, as yoga's executor builds its response (the JSON keeps that order).
  return { errors, data: result.data };
}

/**
 * The interpreter records an error where it stops propagating (the nullable field set to null)
 * and abandons the rest of that field's subtree, so every field nulled that way reports one
 * error, the first. graphql-jit finishes the subtree and reports each error: keep the first per
 * nulled field, found as the first null on the error's path through the result.
 */
function firstPerNulledField(
  errors: readonly GraphQLError[],
  data: ExecutionResult['data'],
): readonly GraphQLError[] {
  if (errors.length < 2) return errors;
  const seen = new Set<string>();
  return errors.filter((error) => {
    const at = nulledAt(error.path, data);
    if (at === null) return true;
    if (seen.has(at)) return false;
    seen.add(at);
    return true;
  });
}

function nulledAt(path: GraphQLError['path'], data: unknown): string | null {
  if (!path) return null;
  if (data === null) return '';
  let value: unknown = data;
  for (let i = 0; i < path.length; i++) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string | number, unknown>)[path[i]!];
    if (value === null) return path.slice(0, i + 1).join('\u0000');
  }
  return null;
}

/** `Type.field` as graphql-jit names it (`Type.(a,b)` for a field merged from several nodes). */
const FIELD = String.raw`(\w+)\.(?:(\w+)|\((\w+)(?:,\w+)*\))`;
const field = (m: RegExpExecArray, at: number) => `${m[at]}.${m[at + 1] ?? m[at + 2]}`;

/** Errors graphql-jit raises itself, reworded as yoga's executor words them. */
const OWN_ERRORS: { pattern: RegExp; reword: (m: RegExpExecArray) => string; plain: boolean }[] = [
  {
    // The executor throws a plain Error here, which masking turns into INTERNAL_SERVER_ERROR.
    pattern: new RegExp(`^Cannot return null for non-nullable field ${FIELD}\\.$`),
    reword: (m) => `Cannot return null for non-nullable field ${field(m, 1)}.`,
    plain: true,
  },
  {
    pattern: new RegExp(`^Expected Iterable, but did not find one for field ${FIELD}\\.$`),
    reword: (m) => `Expected Iterable, but did not find one for field "${field(m, 1)}".`,
    plain: false,
  },
  {
    pattern: new RegExp(
      `^Abstract type (\\w+) must resolve to an Object type at runtime for field ${FIELD}\\.`,
    ),
    reword: (m) =>
      `Abstract type "${m[1]}" must resolve to an Object type at runtime for field "${field(m, 2)}". ` +
      `Either the "${m[1]}" type should provide a "resolveType" function or each possible type should provide an "isTypeOf" function.`,
    plain: false,
  },
  {
    // A serializer that returned nothing: a plain Error there too.
    pattern: /^Expected a value of type "\w+" but received: /,
    reword: (m) => m.input,
    plain: true,
  },
];

/**
 * A graphql-jit error as yoga's executor would have raised it: located by source positions (so
 * `locations` survive every later copy), the resolver's error as originalError, and the errors
 * the executor raises itself worded and classed as there (plain Errors are masked).
 */
export function asInterpreterError(error: GraphQLError, document: DocumentNode): GraphQLError {
  let message = error.message;
  let originalError: Error | undefined = error.originalError ?? undefined;
  if (!originalError) {
    for (const own of OWN_ERRORS) {
      const m = own.pattern.exec(message);
      if (!m) continue;
      message = own.reword(m);
      if (own.plain) originalError = new Error(message);
      break;
    }
  }
  const source = document.loc?.source;
  const positions = source && error.locations?.length ? positionsOf(source.body, error.locations) : undefined;
  return new GraphQLError(message, {
    ...(positions ? { source, positions } : {}),
    path: error.path,
    originalError,
    extensions: error.extensions,
  });
}

/** 1-based line/column → character offsets (graphql-js counts \r\n, \n and \r as line ends). */
function positionsOf(body: string, locations: readonly SourceLocation[]): number[] {
  const lineStarts = [0];
  for (const match of body.matchAll(/\r\n|[\n\r]/g)) lineStarts.push(match.index + match[0].length);
  return locations.map((l) => (lineStarts[l.line - 1] ?? 0) + l.column - 1);
}
