import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';

/**
 * The baseline: a bare graphql-yoga "hello" server on node:http, same yoga version and
 * transport as the gateway, nothing else. Prints its URL.
 */
const yoga = createYoga({
  schema: createSchema({
    typeDefs: 'type Query { hello: String! }',
    resolvers: { Query: { hello: () => 'world' } },
  }),
  logging: false,
  landingPage: false,
  graphiql: false,
});
const server = createServer(yoga);
server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`HELLO http://127.0.0.1:${port}/graphql`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
