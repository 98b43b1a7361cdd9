import type { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { MaskError, MaskedErrorLog } from '../errors/MaskedErrorLog.js';
import type { Context } from '../resolvers/context.js';

type Result = { errors?: readonly GraphQLError[] };

/** What yoga's masked errors say; the same text, so a client cannot tell who masked it. */
const MASKED_MESSAGE = 'Unexpected error.';

/**
 * Masks execution errors itself (yoga's masker, which runs after, then leaves them alone) so every
 * masked error is logged with the operation's logger (it carries the request id), its path and
 * the original stack, for results and for a subscription stream that throws. What never reaches
 * an operation (a plugin that throws) yoga masks, and MaskedErrorLog's maskError logs it.
 */
export function useMaskedErrorLog(maskError: MaskError, log: MaskedErrorLog): Plugin<Context> {
  /** The error as the client sees it, logged with the operation's logger when it is hidden. */
  const maskOne = (error: unknown, ctx: Context): unknown => {
    const masked = maskError(error, MASKED_MESSAGE);
    if (masked !== error) log.note(error, masked, ctx.logger);
    return masked;
  };
  const mask = (result: Result, ctx: Context): Result | null => {
    if (!result.errors?.length) return null;
    const errors = result.errors.map((error) => maskOne(error, ctx) as GraphQLError);
    return errors.some((masked, i) => masked !== result.errors![i]) ? { ...result, errors } : null;
  };
  const hooks = (ctx: Context) => ({
    onNext({ result, setResult }: { result: Result; setResult: (r: never) => void }) {
      const next = mask(result, ctx);
      if (next) setResult(next as never);
    },
  });
  // The same for a single result and, for streams, for each of its results.
  const done = (ctx: Context, { result, setResult }: { result: unknown; setResult: (r: never) => void }) => {
    if (isAsyncIterable(result)) return hooks(ctx);
    const next = mask(result as Result, ctx);
    if (next) setResult(next as never);
    return undefined;
  };
  return {
    onExecute: ({ args }) => ({ onExecuteDone: (payload) => done(args.contextValue as Context, payload) }),
    onSubscribe: ({ args }) => ({
      onSubscribeResult: (payload) => done(args.contextValue as Context, payload),
      // A source stream that throws mid-way: masked here too, so it is logged with the request id.
      onSubscribeError: ({ error, setError }) => {
        const masked = maskOne(error, args.contextValue as Context);
        if (masked !== error) setError(masked);
      },
    }),
  };
}
