/** One GraphiQL tab: one operation, so Run runs it without asking which. */
export type GraphiqlTab = { name: string; query: string; variables: Record<string, unknown> };

const DAY_MS = 86_400_000;

/**
 * The prepared examples GraphiQL opens with, one tab each: a tour of the graph on the demo data.
 * `corpId` is a real, active corp (the variables must run as shown); `now` fixes the statistics
 * window to the last 7 days at page load.
 */
export function graphiqlDefaults(corpId: string, now: Date): GraphiqlTab[] {
  const corp = { corpId };
  return [
    {
      name: 'Corps',
      variables: {},
      query: /* GraphQL */ `# The corps this API key may see, with their authorization and archive key.
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
`,
    },
    {
      name: 'ChatMembersAndConsents',
      variables: corp,
      query: /* GraphQL */ `# Named groups matching "项目", with their members and each customer's archiving consent.
query ChatMembersAndConsents($corpId: String!) {
  corp(corpId: $corpId) {
    searchChats(query: "项目", first: 5) {
      edges {
        node {
          id chatId kind createdAt
          creator { type id }
          members { type id joinedAt }
          consents { externalUserId status changedAt }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
`,
    },
    {
      name: 'RecentMessages',
      variables: corp,
      query: /* GraphQL */ `# The newest archived messages (metadata; content shows only in WeCom's display component).
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
`,
    },
    {
      name: 'CreateKeywordRule',
      variables: corp,
      query: /* GraphQL */ `# A keyword rule: messages that mention 报价 or price become keyword hits.
mutation CreateKeywordRule($corpId: String!) {
  createKeywordRule(corpId: $corpId, input: { name: "报价提醒", keywords: ["报价", "price"] }) {
    id ruleId name keywords behaviours
  }
}
`,
    },
    {
      name: 'KeywordRulesAndHits',
      variables: corp,
      query: /* GraphQL */ `# The corp's keyword rules, and the messages that hit them (last 5 days).
query KeywordRulesAndHits($corpId: String!) {
  corp(corpId: $corpId) {
    keywordRules(first: 20) {
      edges { node { id ruleId name keywords behaviours createdAt } }
    }
    keywordHits(first: 10) {
      edges { node { messageId matchedKeyword behaviours rule { ruleId name } message { sentAt sender { id } } } }
    }
  }
}
`,
    },
    {
      name: 'Statistics',
      variables: {
        ...corp,
        from: new Date(now.getTime() - 7 * DAY_MS).toISOString(),
        to: now.toISOString(),
      },
      query: /* GraphQL */ `# Conversation statistics of the corp over a window (hourly resolution).
query Statistics($corpId: String!, $from: DateTime!, $to: DateTime!) {
  corp(corpId: $corpId) {
    statistics(from: $from, to: $to) {
      from to messages chatsStarted customerMessages customerMessagesReplied replyRate
      messagesByType { type count }
      firstResponseSeconds { count avg median p90 }
    }
  }
}
`,
    },
    {
      name: 'LiveMessages',
      variables: corp,
      query: /* GraphQL */ `# Runs until stopped: new messages arrive live (SSE) as the demo traffic comes in.
subscription LiveMessages($corpId: String!) {
  messageAdded(corpId: $corpId) {
    cursor
    message { msgid type sentAt sender { type id } receivers { id } chat { kind chatId } }
  }
}
`,
    },
  ];
}
