import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ProtectionConfig } from '../config/config.js';
import { tooComplex } from '../errors/codes.js';
import type { Context } from '../resolvers/context.js';
import {
  type CostOptions,
  DEFAULT_COST_OPTIONS,
  OperationCostCache,
  type operationCost,
} from './operationCost.js';

type Limits = Pick<ProtectionConfig, 'maxDepth' | 'maxAliases' | 'maxTokens' | 'maxDirectives' | 'maxCost'>;

/**
 * Shape limits from graphql-armor (tokens while parsing; depth, aliases and directives while
 * validating) plus the cost model at execution, when variables are known. Every rejection is a
 * QUERY_TOO_COMPLEX error naming the limit, its maximum and what was found, before any resolver runs.
 */
export function useOperationLimits(
  limits: Limits,
  costOptions: CostOptions = DEFAULT_COST_OPTIONS,
  onReject: (limit: string) => void = () => {},
): Plugin<Context>[] {
  const reject = (limit: string, max: number) => (ctx: ValidationContext | null, error: GraphQLError) => {
    onReject(limit);
    const coded = tooComplex(
      `${error.message.replace(/^Syntax Error: /, '')} (${limit} must be at most ${max})`,
      limit,
      max,
      foundIn(error.message),
    );
    // Validation rules report (all problems at once); the token counter runs inside the parser.
    if (ctx) ctx.reportError(coded);
    else throw coded;
  };
  const armor = (limit: string, n: number) => ({
    n,
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [reject(limit, n)],
  });
  const rules = [
    maxDepthRule({ ...armor('depth', limits.maxDepth), flattenFragments: true }),
    maxAliasesRule(armor('aliases', limits.maxAliases)),
    maxDirectivesRule(armor('directives', limits.maxDirectives)),
  ];
  const shape: Plugin<Context> = {
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
  };
  const plugins: Plugin<Context>[] = [
    maxTokensPlugin(armor('tokens', limits.maxTokens)) as Plugin<Context>,
    shape,
  ];
  if (limits.maxCost > 0) {
    // Costed once per document, operation and variables, not walked again for every request.
    const costs = new OperationCostCache(costOptions);
    const check = (args: {
      schema: Parameters<typeof operationCost>[0];
      document: Parameters<typeof operationCost>[1];
      operationName?: string | null | undefined;
      variableValues?: Record<string, unknown> | null | undefined;
    }): GraphQLError | null => {
      const cost = costs.cost(args.schema, args.document, args.operationName, args.variableValues);
      if (cost <= limits.maxCost) return null;
      onReject('cost');
      return tooComplex(
        `operation cost ${cost} exceeds the limit of ${limits.maxCost}: ask for smaller pages (first) or fewer nested lists`,
        'cost',
        limits.maxCost,
        cost,
      );
    };
    plugins.push({
      onExecute({ args, setResultAndStopExecution }) {
        const error = check(args);
        if (error) setResultAndStopExecution({ errors: [error] });
      },
      onSubscribe({ args, setResultAndStopExecution }) {
        const error = check(args);
        if (error) setResultAndStopExecution({ errors: [error] });
      },
    });
  }
  return plugins;
}

/** armor says "… exceeded, found 14." */
function foundIn(message: string): number | undefined {
  const match = /found (\d+)/.exec(message);
  return match ? Number(match[1]) : undefined;
}
