import type { Plugin } from 'graphql-yoga';
import type { Authenticate } from '../auth/authenticate.js';
import type { ProtectionConfig } from '../config/config.js';
import type { RedisClient } from '../datasources/store/redis/RedisClient.js';
import type { Logger } from '../logging/Logger.js';
import type { GatewayMetrics } from '../metrics/GatewayMetrics.js';
import type { Context } from '../resolvers/context.js';
import { PersistedOperations } from './PersistedOperations.js';
import { RateLimiter } from './RateLimiter.js';
import { useCsrfHeader } from './useCsrfHeader.js';
import { useGraphqlMetrics } from './useGraphqlMetrics.js';
import { useIntrospectionSwitch } from './useIntrospectionSwitch.js';
import { useLiveSubscriptions } from './useLiveSubscriptions.js';
import { useOperationLimits } from './useOperationLimits.js';
import { usePersistedOperationsMode } from './usePersistedOperationsMode.js';
import { useRateLimit } from './useRateLimit.js';

export type ProtectionDeps = {
  config: ProtectionConfig;
  authenticate: Authenticate;
  /** Shares rate-limit counters between replicas; null → per process. */
  redis: RedisClient | null;
  prefix: string;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Aborted when the gateway stops: live subscriptions complete. */
  shutdown: AbortSignal;
};

export type Protection = {
  /** After useRequireClient, in this order; they apply to every transport, graphql-ws included. */
  plugins: Plugin<Context>[];
};

/** Every GraphQL protection of issue 5, built from config. */
export function createProtection(deps: ProtectionDeps): Protection {
  const { config, metrics, logger } = deps;
  const isAdmin = (authorization: unknown): boolean =>
    typeof authorization === 'string' &&
    (deps.authenticate(authorization)?.scopes.includes('admin') ?? false);
  const persisted = new PersistedOperations(config.persisted.mode, config.persisted.operations, logger);
  const plugins: Plugin<Context>[] = [useGraphqlMetrics(metrics, logger) as Plugin<Context>];
  if (config.csrf) plugins.push(useCsrfHeader() as Plugin<Context>);
  plugins.push(
    usePersistedOperationsMode(persisted, (request) =>
      isAdmin(request.headers.get('authorization')),
    ) as Plugin<Context>,
    useIntrospectionSwitch(config.introspection, (initial) =>
      isAdmin(authorizationOf(initial)),
    ) as Plugin<Context>,
    ...useOperationLimits(config, undefined, (limit) => metrics.rejections.inc({ protection: limit })),
  );
  if (config.rateLimit.max > 0) {
    const limiter = new RateLimiter({
      redis: deps.redis,
      prefix: deps.prefix,
      max: config.rateLimit.max,
      windowS: config.rateLimit.windowS,
      logger,
    });
    plugins.push(
      useRateLimit(limiter, config.rateLimit.max, config.rateLimit.windowS, () =>
        metrics.rejections.inc({ protection: 'rate' }),
      ),
    );
  }
  plugins.push(useLiveSubscriptions(metrics, deps.shutdown) as Plugin<Context>);
  return { plugins };
}

/**
 * The Authorization header of an initial context's request (a graphql-ws operation's request
 * carries connectionParams.authorization there, src/subscriptions/graphqlWsOverYoga.ts).
 */
export function authorizationOf(initial: unknown): string | null {
  return (initial as { request?: Request } | null)?.request?.headers.get('authorization') ?? null;
}
