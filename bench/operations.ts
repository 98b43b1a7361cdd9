/** The GraphQL operations the benchmark sends; the same documents in every run. */

export const HELLO = '{ hello }';

/** A corp overview: registry record, get_corp_auth_info, key version and sync state. */
export const CORP_OVERVIEW = /* GraphQL */ `query Overview($corpId: String!) {
  corp(corpId: $corpId) {
    corpId name
    authorization { status since editions { edition status endAt authUserCount } }
    publicKey { version }
    syncState { indexedMessages lagSeconds lastSyncOkAt }
  }
}`;

/** Nested: search_chat → each group's groupchat/get members and getagreestatus/room consents. */
export const NESTED_CHATS = /* GraphQL */ `query Nested($corpId: String!, $q: String!) {
  corp(corpId: $corpId) {
    searchChats(query: $q, first: 10) {
      edges { node { chatId kind createdAt creator { id } members { id type joinedAt } consents { externalUserId status } } }
    }
  }
}`;

/** A page of 20 messages from the index, newest first, with totalCount (no upstream call). */
export const MESSAGE_PAGE = /* GraphQL */ `query Page($corpId: String!) {
  corp(corpId: $corpId) {
    messages(first: 20, filter: { newestFirst: true }) {
      totalCount
      edges { cursor node { msgid type sentAt sender { type id } receivers { type id } chat { kind chatId } } }
    }
  }
}`;

export const MESSAGE_ADDED = /* GraphQL */ `subscription Live($corpId: String!) {
  messageAdded(corpId: $corpId) { cursor message { msgid sentAt } }
}`;

/** Needs every corp's access token (get_corp_auth_info per corp): the cold-token probe. */
export function allCorpsAuthInfo(corpIds: readonly string[]): string {
  const fields = corpIds.map(
    (id, i) => `c${i}: corp(corpId: ${JSON.stringify(id)}) { authorization { editions { edition } } }`,
  );
  return `{ ${fields.join(' ')} }`;
}

/**
 * The two-character search word (no spaces) that matches the most named groups of the corp,
 * so the nested query fans out to several chats.
 */
export function pickSearchWord(groupNames: readonly string[]): { word: string; matches: number } {
  const counts = new Map<string, number>();
  for (const name of groupNames) {
    const seen = new Set<string>();
    for (let i = 0; i + 2 <= name.length; i++) {
      const word = name.slice(i, i + 2);
      if (/\s/.test(word) || seen.has(word)) continue;
      seen.add(word);
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  let best = { word: groupNames.find((n) => n.length >= 2)?.slice(0, 2) ?? 'ab', matches: 0 };
  for (const [word, matches] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (matches > best.matches) best = { word, matches };
  }
  return best;
}
