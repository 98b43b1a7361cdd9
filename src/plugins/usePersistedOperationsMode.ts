import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors/codes.js';
import { type PersistedOperations, persistedHash, persistedNotFound } from './PersistedOperations.js';

/**
 * HTTP side of the persisted operations: yoga's plugin resolves digests from the list (off →
 * nothing is installed), `admit` applies the log / enforce mode to documents sent as text.
 */
export function usePersistedOperationsMode(
  store: PersistedOperations,
  isAdmin: (request: Request) => boolean,
): Plugin[] {
  if (store.mode === 'off') return [];
  return [
    {
      onParams({ params, request }) {
        store.admit(params, isAdmin(request));
      },
    },
    usePersistedOperations({
      getPersistedOperation: (hash) => store.get(hash),
      // Text documents were judged by `admit` above.
      allowArbitraryOperations: true,
      customErrors: {
        notFound: ({ params }) => persistedNotFound(persistedHash(params.extensions) ?? ''),
        keyNotFound: () =>
          new GraphQLError('a request needs a query or extensions.persistedQuery.sha256Hash', {
            extensions: { code: ErrorCode.PERSISTED_QUERY_NOT_FOUND, http: { spec: true, status: 400 } },
          }),
      },
    }) as Plugin,
  ];
}
