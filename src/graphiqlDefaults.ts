/** The operations GraphiQL opens with: a tour of the graph on the demo data. */
export const GRAPHIQL_DEFAULT_QUERY = /* GraphQL */ `# Demo API key preset in the headers tab (embedded mode).
query Corps {
  viewer { id scopes corpIds }
  corps(first: 10) {
    edges {
      node {
        id corpId name
        authorization { status since editions { edition msgDurationDays } }
        publicKey { version createdAt }
        authorizedUsers(first: 5) { edges { editions node { type id } } }
      }
    }
  }
}

query GroupsAndConsents($corpId: String!) {
  corp(corpId: $corpId) {
    searchChats(query: "项目", first: 5) {
      edges {
        node {
          id chatId createdAt
          creator { type id }
          members { type id joinedAt }
          consents { externalUserId status changedAt }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}

query KeywordRules($corpId: String!) {
  corp(corpId: $corpId) {
    keywordRules(first: 20) {
      edges { node { id ruleId name keywords behaviours createdAt } }
    }
  }
}

mutation CreateRule($corpId: String!) {
  createKeywordRule(corpId: $corpId, input: { name: "敏感行为", keywords: ["报价"], behaviours: [PHONE_NUMBER, BANK_CARD_NUMBER] }) {
    id ruleId name keywords behaviours
  }
}

query RecentMessages($corpId: String!) {
  corp(corpId: $corpId) {
    syncState { indexedMessages lagSeconds lastSyncOkAt lastError { code message } }
    messages(first: 10, filter: { newestFirst: true }) {
      totalCount
      edges {
        cursor
        node {
          id msgid type sentAt
          sender { type id }
          chat { id kind chatId }
          hits { rule { ruleId } matchedKeyword behaviours }
          display { secretKey publicKeyVersion }
        }
      }
    }
  }
}

# Runs until stopped: the demo traffic arrives live (SSE).
subscription LiveMessages($corpId: String!) {
  messageAdded(corpId: $corpId) {
    cursor
    message { msgid type sentAt sender { type id } receivers { id } chat { kind chatId } }
  }
}
`;
