import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export type CostOptions = {
  /** Size assumed for a connection queried without `first` (the resolvers' default page). */
  defaultPageSize: number;
  /** Size assumed for a plain list field with nothing bounding it (members, receivers, …). */
  defaultListSize: number;
};

export const DEFAULT_COST_OPTIONS: CostOptions = { defaultPageSize: 20, defaultListSize: 10 };

/**
 * The cost of one operation: every object field costs 1 and scalars 0, a field's subtree is
 * multiplied by how many items it returns (`first` on a connection, the length of a list
 * argument such as `pairs` or `messageIds`, else an assumed size), and list arguments add their
 * length, since each element is upstream work. Variables are resolved, so `first: $n` counts.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  options: CostOptions = DEFAULT_COST_OPTIONS,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    else if (def.kind === Kind.OPERATION_DEFINITION) {
      if (!operationName ? !operation : def.name?.value === operationName) operation = def;
    }
  }
  if (!operation) return 0;
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const vars = variables ?? {};

  const walk = (set: SelectionSetNode, parent: GraphQLNamedType, seen: ReadonlySet<string>): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(selection, parent, seen);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += walk(selection.selectionSet, type ?? parent, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue;
        const type = schema.getType(fragment.typeCondition.name.value) ?? parent;
        total += walk(fragment.selectionSet, type, new Set([...seen, name]));
      }
    }
    return total;
  };

  const fieldCost = (node: FieldNode, parent: GraphQLNamedType, seen: ReadonlySet<string>): number => {
    if (!(isObjectType(parent) || isInterfaceType(parent))) return 0;
    const field = parent.getFields()[node.name.value];
    if (!field) return 0;
    const args = argumentValues(field, node, vars);
    const named = getNamedType(field.type);
    let listArgs = 0;
    for (const value of Object.values(args))
      if (Array.isArray(value)) listArgs = Math.max(listArgs, value.length);
    const own = (isCompositeType(named) ? 1 : 0) + listArgs;
    if (!node.selectionSet) return own;
    const children = walk(node.selectionSet, named, seen);
    return own + multiplier(field, args, parent, listArgs, options) * children;
  };

  return walk(operation.selectionSet, root, new Set());
}

/** Variable sets remembered per document and operation; past it the oldest is forgotten. */
const COSTS_PER_DOCUMENT = 64;
/** Variables whose JSON is longer are costed every time rather than kept as a key. */
const MAX_VARIABLES_KEY = 2048;

/**
 * `operationCost`, remembered per schema, parsed document (yoga's parser cache hands out the
 * same DocumentNode for the same text), operation name and variables. The cost is a pure function
 * of those, so a hit is exactly what a fresh walk would return. Variables are keyed by their JSON
 * only when they are plain JSON values (anything else, e.g. an uploaded File, is costed afresh).
 */
export class OperationCostCache {
  readonly #bySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, number>>>();
  readonly #options: CostOptions;
  readonly #perDocument: number;

  constructor(options: CostOptions = DEFAULT_COST_OPTIONS, perDocument = COSTS_PER_DOCUMENT) {
    this.#options = options;
    this.#perDocument = perDocument;
  }

  cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown> | null | undefined,
  ): number {
    const vars = variablesKey(variables);
    if (vars === null) return operationCost(schema, document, operationName, variables, this.#options);
    let byDocument = this.#bySchema.get(schema);
    if (!byDocument) {
      byDocument = new WeakMap();
      this.#bySchema.set(schema, byDocument);
    }
    let costs = byDocument.get(document);
    if (!costs) {
      costs = new Map();
      byDocument.set(document, costs);
    }
    const key = `${operationName ?? ''}\u0000${vars}`;
    let cost = costs.get(key);
    if (cost === undefined) {
      cost = operationCost(schema, document, operationName, variables, this.#options);
      if (costs.size >= this.#perDocument) costs.delete(costs.keys().next().value as string);
      costs.set(key, cost);
    }
    return cost;
  }
}

/** The JSON of plain JSON variables (finite numbers, no undefined), else null. */
function variablesKey(variables: Record<string, unknown> | null | undefined): string | null {
  if (variables === null || variables === undefined) return '';
  if (!isPlainJson(variables, 0)) return null;
  const json = JSON.stringify(variables);
  return json.length <= MAX_VARIABLES_KEY ? json : null;
}

function isPlainJson(value: unknown, depth: number): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || depth > 16) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!isPlainJson(item, depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) {
    if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

function multiplier(
  field: GraphQLField<unknown, unknown>,
  args: Record<string, unknown>,
  parent: GraphQLNamedType,
  listArgs: number,
  options: CostOptions,
): number {
  const first = args['first'] ?? args['last'] ?? args['limit'];
  if (typeof first === 'number') return Math.max(1, first);
  const named = getNamedType(field.type);
  if (named.name.endsWith('Connection')) return options.defaultPageSize;
  if (!isListType(getNullableType(field.type))) return 1;
  // A connection's edges/nodes are the page its parent field already counted.
  if (parent.name.endsWith('Connection')) return 1;
  return listArgs > 0 ? listArgs : options.defaultListSize;
}

function argumentValues(
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variables: Record<string, unknown>,
): Record<string, unknown> {
  try {
    return getArgumentValues(field, node, variables);
  } catch {
    // Bad arguments are the validator's and the resolvers' to report, with their own codes.
    return {};
  }
}
