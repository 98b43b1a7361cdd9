import type { Plugin } from 'graphql-yoga';
import { isGraphQLError } from '../errors/maskError.js';
import type { PersistedOperations } from './PersistedOperations.js';

/**
 * The persisted operations on every transport (graphql-ws runs through yoga too): a digest
 * becomes its listed document, a document sent as text is judged by the log / enforce mode
 * (off → nothing is installed). A refusal is the operation's result, not a throw, so the hooks
 * after it (metrics: the `persisted` rejection) see it whatever the transport.
 */
export function usePersistedOperationsMode(
  store: PersistedOperations,
  isAdmin: (request: Request) => boolean,
): Plugin {
  if (store.mode === 'off') return {};
  return {
    onParams({ params, request, setParams, setResult }) {
      try {
        const query = store.resolve(params, isAdmin(request));
        if (query !== params.query) setParams({ ...params, query });
      } catch (error) {
        if (!isGraphQLError(error)) throw error;
        setResult({ errors: [error] });
        // yoga's own check, after this hook, still wants a query; nothing will parse it.
        setParams({ ...params, query: params.query ?? '' });
      }
    },
  };
}
