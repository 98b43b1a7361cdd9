import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from './ConfigError.js';
import type { Env } from './envSchema.js';

export type ProtectionConfig = {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  /** 0 = off. */
  maxCost: number;
  maxBodyBytes: number;
  introspection: boolean;
  csrf: boolean;
  persisted: { mode: 'off' | 'log' | 'enforce'; operations: Record<string, string> };
  /** `max` 0 = off. */
  rateLimit: { max: number; windowS: number };
  breaker: {
    failures: number;
    failureRatePercent: number;
    minCalls: number;
    windowMs: number;
    cooldownMs: number;
  };
  shutdownGraceMs: number;
};

export function protectionFrom(
  e: Env,
  mode: 'embedded' | 'upstream',
  readFile: (path: string) => string,
): ProtectionConfig {
  return {
    maxDepth: e.GRAPHQL_MAX_DEPTH,
    maxAliases: e.GRAPHQL_MAX_ALIASES,
    maxTokens: e.GRAPHQL_MAX_TOKENS,
    maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
    maxCost: e.GRAPHQL_MAX_COST,
    maxBodyBytes: e.GRAPHQL_MAX_BODY_BYTES,
    introspection: e.GRAPHQL_INTROSPECTION ?? mode === 'embedded',
    csrf: e.GRAPHQL_CSRF ?? true,
    persisted: {
      mode: e.PERSISTED_OPERATIONS,
      operations:
        e.PERSISTED_OPERATIONS === 'off' ? {} : persistedOperations(e.PERSISTED_OPERATIONS_FILE, readFile),
    },
    rateLimit: { max: e.RATE_LIMIT_MAX, windowS: e.RATE_LIMIT_WINDOW_S },
    breaker: {
      failures: e.BREAKER_FAILURES,
      failureRatePercent: e.BREAKER_FAILURE_RATE,
      minCalls: e.BREAKER_MIN_CALLS,
      windowMs: e.BREAKER_WINDOW_S * 1000,
      cooldownMs: e.BREAKER_COOLDOWN_S * 1000,
    },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
  };
}

/** `{hash: document}` as given, or `[document, …]` keyed by the SHA-256 hex of each document. */
function persistedOperations(
  file: string | undefined,
  readFile: (path: string) => string,
): Record<string, string> {
  if (!file)
    throw new ConfigError(
      'PERSISTED_OPERATIONS_FILE is required when PERSISTED_OPERATIONS is log or enforce',
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFile(file));
  } catch (error) {
    throw new ConfigError(`PERSISTED_OPERATIONS_FILE ${file}: ${(error as Error).message}`);
  }
  const result = z
    .union([z.array(z.string().min(1)), z.record(z.string().regex(/^[0-9a-f]{64}$/), z.string().min(1))])
    .safeParse(parsed);
  if (!result.success) {
    throw new ConfigError(
      `PERSISTED_OPERATIONS_FILE ${file} must be {"<sha256 hex>": "<document>"} or ["<document>", …]`,
    );
  }
  if (!Array.isArray(result.data)) return result.data;
  return Object.fromEntries(result.data.map((doc) => [createHash('sha256').update(doc).digest('hex'), doc]));
}
