/**
 * The index key of a message's chat: the chatid for groups; for single chats the two parties,
 * sorted, so both directions of a conversation land on one key.
 */
export function chatKeyOf(message: {
  chatId: string | null;
  sender: { id: string };
  receivers: readonly { id: string }[];
}): string {
  if (message.chatId) return message.chatId;
  const other = message.receivers[0]?.id ?? message.sender.id;
  return singleChatKey(message.sender.id, other);
}

export function singleChatKey(a: string, b: string): string {
  return a <= b ? `s:${a}|${b}` : `s:${b}|${a}`;
}

/** Participants indexed for a message: the sender, plus the receiver of a single chat. */
export function indexedParticipants(message: {
  chatId: string | null;
  sender: { id: string };
  receivers: readonly { id: string }[];
}): string[] {
  const ids = new Set([message.sender.id]);
  if (!message.chatId) for (const r of message.receivers) ids.add(r.id);
  return [...ids];
}
