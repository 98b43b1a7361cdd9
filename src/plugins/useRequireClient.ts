import type { Plugin } from 'graphql-yoga';
import { unauthenticated } from '../errors/codes.js';
import type { Context } from '../resolvers/context.js';

const MESSAGE =
  'a valid API key is required: send Authorization: Bearer <key> (graphql-ws: connectionParams.authorization)';

/**
 * Refuses every operation (query, mutation, subscription; HTTP, SSE or graphql-ws) from a
 * request without a valid key, before any resolver runs. Finer checks live in the resolvers.
 */
export function useRequireClient(): Plugin<Context> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (!(args.contextValue as Context).access.client) {
        setResultAndStopExecution({ errors: [unauthenticated(MESSAGE)] });
      }
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      if (!(args.contextValue as Context).access.client) {
        setResultAndStopExecution({ errors: [unauthenticated(MESSAGE)] });
      }
    },
  };
}
