import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors/codes.js';

/**
 * Turns introspection (`__schema`, `__type`) off unless `enabled`; admin clients (decided from
 * the initial context's request, on every transport) may always introspect.
 */
export function useIntrospectionSwitch(enabled: boolean, isAdmin: (initial: unknown) => boolean): Plugin {
  if (enabled) return {};
  const rule: ValidationRule = (context: ValidationContext) =>
    NoSchemaIntrospectionCustomRule(
      new Proxy(context, {
        get(target, prop, receiver) {
          if (prop !== 'reportError') return Reflect.get(target, prop, receiver);
          return (error: GraphQLError) =>
            target.reportError(
              new GraphQLError(`introspection is disabled on this gateway (${error.message})`, {
                nodes: error.nodes ?? null,
                extensions: { code: ErrorCode.INTROSPECTION_DISABLED },
              }),
            );
        },
      }),
    );
  return {
    onValidate({ addValidationRule, context }) {
      if (!isAdmin(context)) addValidationRule(rule);
    },
  };
}
