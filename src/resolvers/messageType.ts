/** Upstream `msgtype` ints (docs/upstream.md §3.1) → MessageType names; anything else is UNKNOWN. */
export const MESSAGE_TYPES = [
  'UNSUPPORTED',
  'TEXT',
  'IMAGE',
  'EMOTION',
  'LINK',
  'MINI_PROGRAM',
  'VOICE',
  'VIDEO',
  'FILE',
  'CONTACT_CARD',
  'CHAT_RECORD',
  'CHANNELS',
  'CALENDAR',
  'RED_PACKET',
  'LOCATION',
  'QUICK_MEETING',
  'TODO',
  'VOTE',
  'ONLINE_DOC',
  'NEWS',
  'MIXED',
  'AUDIO_ARCHIVE',
  'CALL',
  'WEDRIVE_FILE',
  'ARCHIVE_AGREED',
  'ARCHIVE_REFUSED',
  'SOLITAIRE',
  'MARKDOWN',
  'NOTE',
] as const;

export type MessageTypeName = (typeof MESSAGE_TYPES)[number] | 'UNKNOWN';

export function messageTypeName(msgtype: number): MessageTypeName {
  return MESSAGE_TYPES[msgtype] ?? 'UNKNOWN';
}
