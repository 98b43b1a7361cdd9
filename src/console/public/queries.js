/** The console's GraphQL documents: everything it shows comes from the public graph. */

const MESSAGE = `id msgid type sentAt sender { id type } receivers { id type }
  chat { id kind audience chatId } hits { rule { name } }`;

export const SESSION = `{ viewer { id scopes allCorps corpIds } corps(first: 100) { edges { node { corpId name } } } }`;

export const RECENT = `query Recent($c: String!) { corp(corpId: $c) {
  messages(first: 100, filter: { newestFirst: true }) { edges { cursor node { ${MESSAGE} } } } } }`;

export const LIVE = `subscription Live($c: String!, $after: String) {
  messageAdded(corpId: $c, after: $after) { cursor message { ${MESSAGE} } } }`;

export const HITS = `subscription Hits($c: String!) { keywordHit(corpId: $c) { messageId rule { name } } }`;

export const DETAIL = `query Detail($id: ID!, $keys: Boolean!) { node(id: $id) { ... on Message {
  ${MESSAGE} display @include(if: $keys) { secretKey publicKeyVersion } } } }`;

export const STATS = `query Stats($c: String!, $chat: ID, $from: DateTime!, $to: DateTime!) { corp(corpId: $c) {
  statistics(chatId: $chat, from: $from, to: $to) {
    messages chatsStarted customerMessages customerMessagesReplied replyRate recalls
    firstResponseSeconds { count median p90 } replySeconds { count avg median } } } }`;

export const ALERTS = `query Alerts($c: String!) { corp(corpId: $c) {
  replyAlerts(first: 20, status: OPEN) { edges { node { id ruleName minutes customerSentAt deadlineAt
    chat { id kind audience chatId } customer { id type } } } } } }`;
