import type { ArchivedMessage } from './types.js';

/** Job type the built-in zone program reports in `result.job_type`. */
export const WORD_FREQUENCY_JOB = 'word_frequency';
const TOP_WORDS = 20;

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** A chat's key in the result: the group chatid, or `single:<a>|<b>` (the two parties, sorted). */
function chatKey(m: ArchivedMessage): string {
  if (m.chatId) return m.chatId;
  const ids = [m.sender.id, m.receivers[0]?.id ?? m.sender.id].sort();
  return `single:${ids.join('|')}`;
}

function words(text: string): string[] {
  const out: string[] = [];
  for (const s of segmenter.segment(text.toLowerCase())) {
    // One-character Latin/digit fragments are noise; one Chinese character can be a word.
    if (s.isWordLike && (s.segment.length > 1 || /\p{Script=Han}/u.test(s.segment))) out.push(s.segment);
  }
  return out;
}

/**
 * The simulator's built-in zone program (the seed's own example): word frequency per chat over
 * the messages it could decrypt, top 20 words each; messages it could not are listed as failed.
 */
export function wordFrequency(
  messages: ArchivedMessage[],
  failed: { msgid: string; errcode: number }[],
  customData: string,
): string {
  const chats = new Map<string, { messages: number; counts: Map<string, number> }>();
  for (const m of messages) {
    const key = chatKey(m);
    const chat = chats.get(key) ?? { messages: 0, counts: new Map<string, number>() };
    chats.set(key, chat);
    chat.messages += 1;
    for (const w of words(m.searchText)) chat.counts.set(w, (chat.counts.get(w) ?? 0) + 1);
  }
  const result = [...chats.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([chat, { messages: n, counts }]) => ({
      chat,
      messages: n,
      words: [...counts.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, TOP_WORDS)
        .map(([word, count]) => ({ word, count })),
    }));
  return JSON.stringify({ program: WORD_FREQUENCY_JOB, custom_data: customData, chats: result, failed });
}
