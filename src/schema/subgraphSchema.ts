import { printSubgraphSchema } from '@apollo/subgraph';
import { GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './index.js';

/**
 * The same graph as a Federation v2 subgraph (`GRAPHQL_FEDERATION=on`): `_service { sdl }` and
 * `_entities` added to Query, `@key` on the entities of src/schema/entities.ts. Without the
 * Subscription type: subscriptions stay on this gateway's own /graphql (graphql-ws, SSE), since
 * a supergraph router would have to hold every live stream open to us; `_service.sdl` is printed
 * from the schema actually served, so composition never sees a root it cannot route.
 */
export function subgraphSchema(): GraphQLSchema {
  const full = builder.toSubGraphSchema({
    linkUrl: 'https://specs.apollo.dev/federation/v2.6',
    federationDirectives: ['@key'],
  });
  const config = full.toConfig();
  const served = new GraphQLSchema({
    ...config,
    subscription: null,
    types: config.types.filter((type) => type.name !== 'Subscription'),
  });
  const sdl = printSubgraphSchema(served);
  const service = served.getQueryType()?.getFields()['_service'];
  if (!service) throw new Error('toSubGraphSchema produced no _service field');
  service.resolve = () => ({ sdl });
  return served;
}
