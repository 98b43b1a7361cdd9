import { NEGATIVE_WORDS, POLITICAL_WORDS, PORN_WORDS, POSITIVE_WORDS } from '../data/textCorpus.js';

const count = (text: string, words: readonly string[]) => {
  const t = text.toLowerCase();
  return words.filter((w) => t.includes(w.toLowerCase())).length;
};

/** 0 no sentiment, 1 positive, 2 negative (zone enum; there is no "neutral"). */
export function sentimentOf(text: string): 0 | 1 | 2 {
  const pos = count(text, POSITIVE_WORDS);
  const neg = count(text, NEGATIVE_WORDS);
  if (pos > neg) return 1;
  if (neg > pos) return 2;
  return 0;
}

/** 0 clean, 1 political, 2 pornographic. */
export function spamOf(text: string): 0 | 1 | 2 {
  if (count(text, POLITICAL_WORDS) > 0) return 1;
  if (count(text, PORN_WORDS) > 0) return 2;
  return 0;
}

/** A deterministic "summary" of the texts, for the render stand-in only. */
export function summaryOf(texts: string[]): string {
  const joined = texts.join(' ').slice(0, 10_000);
  return joined.length <= 120 ? joined : `${joined.slice(0, 117)}...`;
}
