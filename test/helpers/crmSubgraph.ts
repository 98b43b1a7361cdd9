import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';

/** The provider CRM's SDL: it extends our `Corp` entity and lists its top accounts as Corps. */
export const CRM_TYPE_DEFS = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
  type Corp @key(fields: "corpId") {
    corpId: String!
    account: CrmAccount!
  }
  type CrmAccount {
    owner: String!
    tier: String!
  }
  type Query {
    topAccounts: [Corp!]!
  }
`;

export type CrmSubgraph = { url: string; close(): Promise<void> };

/**
 * A tiny second subgraph, as a provider's CRM would run beside the gateway: it knows corp ids
 * only, and the supergraph fills in everything else about a Corp from the archive gateway.
 */
export async function startCrmSubgraph(corpIds: string[]): Promise<CrmSubgraph> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(CRM_TYPE_DEFS),
    resolvers: {
      Query: { topAccounts: () => corpIds.map((corpId) => ({ corpId })) },
      Corp: {
        __resolveReference: (ref: { corpId: string }) => ({ corpId: ref.corpId }),
        account: (corp: { corpId: string }) => ({
          owner: `owner-of-${corp.corpId}`,
          tier: corpIds.indexOf(corp.corpId) === 0 ? 'gold' : 'silver',
        }),
      },
    },
  });
  const yoga = createYoga({ schema, logging: false, landingPage: false });
  const server: Server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
