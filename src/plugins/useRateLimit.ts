import type { Plugin } from 'graphql-yoga';
import { rateLimited } from '../errors/codes.js';
import type { Context } from '../resolvers/context.js';
import type { RateLimiter } from './RateLimiter.js';

/**
 * Counts every operation (query, mutation, subscription; any transport) of an authenticated
 * client and refuses it with RATE_LIMITED (HTTP 429, Retry-After) over the limit, before
 * anything runs. Unauthenticated requests are refused by useRequireClient already.
 */
export function useRateLimit(
  limiter: RateLimiter,
  max: number,
  windowS: number,
  onReject: () => void,
): Plugin<Context> {
  const check = async (context: unknown): Promise<Error | null> => {
    const client = (context as Context).access?.client;
    if (!client) return null;
    const decision = await limiter.hit(client.id);
    if (decision.allowed) return null;
    onReject();
    return rateLimited(
      `client "${client.id}" exceeded ${max} operations per ${windowS} s; retry after ${decision.retryAfterSeconds} s`,
      decision.retryAfterSeconds,
    );
  };
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const error = await check(args.contextValue);
      if (error) setResultAndStopExecution({ errors: [error as never] });
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      const error = await check(args.contextValue);
      if (error) setResultAndStopExecution({ errors: [error as never] });
    },
  };
}
