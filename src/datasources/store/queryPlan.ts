import { chatKeyOf, indexedParticipants } from './chatKeyOf.js';
import type { IndexedMessage, MessageQuery } from './MessageIndex.js';

/**
 * The list a query walks: the most selective filter that has a list of its own (a chat is
 * usually smaller than a participant's traffic, which is smaller than a message type's).
 * Remaining filters are checked on each entry by `matchesQuery`.
 */
export function pickDrivingKey(query: Pick<MessageQuery, 'chatKey' | 'participantId' | 'msgtype'>): string {
  if (query.chatKey !== undefined) return `c:${query.chatKey}`;
  if (query.participantId !== undefined) return `u:${query.participantId}`;
  if (query.msgtype !== undefined) return `t:${query.msgtype}`;
  return 'all';
}

export function matchesQuery(
  message: IndexedMessage,
  query: Pick<MessageQuery, 'chatKey' | 'participantId' | 'msgtype' | 'from' | 'to'>,
): boolean {
  if (query.from !== undefined && message.sendTime < query.from) return false;
  if (query.to !== undefined && message.sendTime >= query.to) return false;
  if (query.msgtype !== undefined && message.msgtype !== query.msgtype) return false;
  if (query.chatKey !== undefined && chatKeyOf(message) !== query.chatKey) return false;
  if (query.participantId !== undefined && !indexedParticipants(message).includes(query.participantId)) {
    return false;
  }
  return true;
}
