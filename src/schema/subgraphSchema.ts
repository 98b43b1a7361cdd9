import { printSubgraphSchema } from '@apollo/subgraph';
import { GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './index.js';

/**
 * The same graph as a Federation v2 subgraph (`GRAPHQL_FEDERATION=on`): `_service { sdl }` and
 * `_entities` added to Query, `@key` on the entities of src/schema/entities.ts. The schema served
 * keeps Subscription, so graphql-ws and SSE on this gateway's own /graphql work as without
 * federation; `_service.sdl` is printed without it, since a supergraph router would have to hold
 * every live stream open to us: composition never sees a root it cannot route.
 */
export function subgraphSchema(): GraphQLSchema {
  const served = builder.toSubGraphSchema({
    linkUrl: 'https://specs.apollo.dev/federation/v2.6',
    federationDirectives: ['@key'],
  });
  const sdl = printSubgraphSchema(withoutSubscriptions(served));
  const service = served.getQueryType()?.getFields()['_service'];
  if (!service) throw new Error('toSubGraphSchema produced no _service field');
  service.resolve = () => ({ sdl });
  return served;
}

/** The schema as composition should see it: no Subscription root, no Subscription type. */
function withoutSubscriptions(schema: GraphQLSchema): GraphQLSchema {
  const config = schema.toConfig();
  return new GraphQLSchema({
    ...config,
    subscription: null,
    types: config.types.filter((type) => type.name !== 'Subscription'),
  });
}
