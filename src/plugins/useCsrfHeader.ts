import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors/codes.js';

export const CSRF_HEADER = 'x-graphql-csrf';

/**
 * yoga's CSRF prevention: a request a browser may send cross-site without a preflight (GET, or
 * a form / text/plain POST) must carry `x-graphql-csrf` (any value). JSON POSTs, which always
 * preflight, pass as before; GraphiQL sends JSON. The error gets a stable code.
 */
export function useCsrfHeader(): Plugin {
  const inner = useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }) as Plugin & {
    onRequestParse: NonNullable<Plugin['onRequestParse']>;
  };
  return {
    onRequestParse(payload) {
      try {
        return inner.onRequestParse(payload);
      } catch {
        throw new GraphQLError(
          `this request needs the ${CSRF_HEADER} header (or a JSON body): a cross-site form or GET cannot send it`,
          { extensions: { code: ErrorCode.CSRF_HEADER_REQUIRED, http: { status: 403 } } },
        );
      }
    },
  };
}
