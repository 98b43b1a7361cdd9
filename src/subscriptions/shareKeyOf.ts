import { type DocumentNode, getOperationAST, Kind, type ValueNode } from 'graphql';
import type { ClientConfig } from '../config/config.js';

/** Arguments that make a subscription replay history from a point, so it cannot be joined late. */
const REPLAY_ARGUMENTS = new Set(['after']);

export type ShareKeyInput = {
  document: DocumentNode;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | null | undefined;
  client: ClientConfig | null;
};

const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 1;

/**
 * The key under which identical live subscriptions share one execution (SubscriptionGroups), or
 * null when this one must run alone: not a subscription, no client (it fails on its own), or a
 * replay cursor set (a late joiner would miss the replay). Same key ⇔ same parsed document
 * (yoga's parser cache hands out one DocumentNode per document text), operation, variables, and
 * client with the same corps and scopes, so every member would have computed the same results.
 */
export function shareKeyOf(input: ShareKeyInput): string | null {
  const { document, operationName, client } = input;
  if (!client) return null;
  const operation = getOperationAST(document, operationName ?? undefined);
  if (operation?.operation !== 'subscription') return null;
  const variables = input.variables ?? {};
  const defaults = new Map(
    (operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d.defaultValue]),
  );
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return null;
    for (const arg of selection.arguments ?? []) {
      if (REPLAY_ARGUMENTS.has(arg.name.value) && !isNull(arg.value, variables, defaults)) return null;
    }
  }
  let documentId = documentIds.get(document);
  if (documentId === undefined) {
    documentId = nextDocumentId++;
    documentIds.set(document, documentId);
  }
  return JSON.stringify([
    client.id,
    client.corps,
    client.scopes,
    documentId,
    operationName ?? null,
    variables,
  ]);
}

function isNull(
  value: ValueNode,
  variables: Record<string, unknown>,
  defaults: Map<string, ValueNode | undefined>,
): boolean {
  if (value.kind === Kind.NULL) return true;
  if (value.kind !== Kind.VARIABLE) return false;
  const name = value.name.value;
  if (name in variables) return variables[name] === null;
  const fallback = defaults.get(name);
  return fallback === undefined || fallback.kind === Kind.NULL;
}
