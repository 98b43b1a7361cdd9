import type { ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../resolvers/context.js';
import type { ServerContext } from './ServerContext.js';
import type { SubscribeOutcome, SubscriptionGroups } from './SubscriptionGroups.js';
import { shareKeyOf } from './shareKeyOf.js';

/**
 * Runs identical live subscriptions (graphql-ws and SSE alike) as one: every subscriber still
 * passes through every other plugin's onSubscribe (auth, rate limit, cost) and gets its own
 * result stream (masking, shutdown, metrics), but the source stream and the execution of each
 * event are shared by its group. Register it last, so it wraps whatever subscribe the others set.
 */
export function useSharedSubscriptions(groups: SubscriptionGroups): Plugin<Context> {
  return {
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const key = shareKeyOf({
        document: args.document,
        operationName: args.operationName,
        variables: args.variableValues as Record<string, unknown> | null | undefined,
        client: (args.contextValue as Partial<Context>).access?.client ?? null,
      });
      if (key === null) return;
      const inner = subscribeFn as (a: ExecutionArgs) => Promise<SubscribeOutcome> | SubscribeOutcome;
      // envelop builds the Context on the server context, so a graphql-ws subscriber's writer is here.
      setSubscribeFn(((a: ExecutionArgs) =>
        groups.join(key, () => inner(a), (a.contextValue as ServerContext).liveSink)) as typeof subscribeFn);
    },
  };
}
