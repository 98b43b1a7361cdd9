import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import type { Handler } from './Routes.js';

/** `/`: the landing page (GET and HEAD), under its content security policy. */
export function landingRoute(html: string, csp: string): Handler {
  return (req, res) => {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : html);
  };
}

/** `/schema.graphql`: the SDL, printed on first request. */
export function schemaRoute(schema: GraphQLSchema): Handler {
  let printed: string | null = null;
  return (_req, res) => {
    printed ??= `${printSchema(lexicographicSortSchema(schema))}\n`;
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
    res.end(printed);
  };
}
