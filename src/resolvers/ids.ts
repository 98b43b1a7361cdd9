import type { ChatShape, ParticipantShape } from './shapes.js';

/**
 * Raw ids behind the Relay global ids. Each starts with the corpId so that `node(id:)` can check
 * corp access before anything is loaded. Relay wraps them as base64(`Type:raw`).
 */

const SEP = '|';

export function corpScopedId(corpId: string, localId: string): string {
  return `${corpId}${SEP}${localId}`;
}

/** Splits `corpId|rest`; null when the shape is wrong. */
export function splitCorpScopedId(raw: string): { corpId: string; localId: string } | null {
  const at = raw.indexOf(SEP);
  if (at <= 0 || at === raw.length - 1) return null;
  return { corpId: raw.slice(0, at), localId: raw.slice(at + 1) };
}

export function chatRawId(chat: ChatShape): string {
  if (chat.kind === 'GROUP') return [chat.corpId, 'G', chat.chatId].join(SEP);
  const [a, b] = chat.parties;
  return [chat.corpId, 'S', `${a.type}:${a.id}`, `${b.type}:${b.id}`].join(SEP);
}

export function parseChatRawId(raw: string): ChatShape | null {
  const parts = raw.split(SEP);
  if (parts.length === 3 && parts[1] === 'G' && parts[0] && parts[2]) {
    return { corpId: parts[0], kind: 'GROUP', chatId: parts[2] };
  }
  if (parts.length === 4 && parts[1] === 'S' && parts[0]) {
    const a = parseParticipant(parts[2]!);
    const b = parseParticipant(parts[3]!);
    if (a && b) return singleChat(parts[0], a, b);
  }
  return null;
}

export function singleChat(corpId: string, a: ParticipantShape, b: ParticipantShape): ChatShape {
  const parties: [ParticipantShape, ParticipantShape] = partyKey(a) <= partyKey(b) ? [a, b] : [b, a];
  return { corpId, kind: 'SINGLE', parties };
}

function partyKey(p: ParticipantShape): string {
  return `${p.type}:${p.id}`;
}

function parseParticipant(text: string): ParticipantShape | null {
  const match = /^([123]):(.+)$/.exec(text);
  return match ? { type: Number(match[1]), id: match[2]! } : null;
}
