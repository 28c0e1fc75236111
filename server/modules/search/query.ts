/**
 * What a member types → a safe FTS5 query. Every term is sent as a quoted FTS5 string, so no
 * operator, column filter or syntax error can come from the input; FTS5 then splits each string
 * with the same tokenizer as the index, so "T-visa" becomes the phrase "t visa" and matches
 * "T-visa" and "T visa" alike. "Quoted words" are phrases; the last word, when the member is still
 * typing it (no space after it) and it has 3 to 6 letters, also matches as a prefix. Terms are ANDed.
 */

const MAX_TERMS = 12;
/** Prefix queries on shorter stems would expand to too many terms (the index keeps 3-letter prefixes). */
const MIN_PREFIX = 3;
/**
 * The index keeps prefixes of 3 to 6 letters (migration 0005). A longer prefix would make FTS5 merge
 * the doclists of every word that starts with it (seconds on a large forum), so a longer last word
 * is matched as typed.
 */
const MAX_PREFIX = 6;
const WORDY = /[\p{L}\p{N}]/u;

export interface ParsedQuery {
  /** The FTS5 MATCH expression, or null when nothing searchable was typed. */
  match: string | null;
  terms: string[];
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;
const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

export function toFtsQuery(input: string): ParsedQuery {
  const text = input.normalize('NFC').replace(CONTROL, ' ').slice(0, 300);
  const parts: { text: string; phrase: boolean; end: number }[] = [];
  const re = /"([^"]*)"?|(\S+)/g;
  for (const m of text.matchAll(re)) {
    const phrase = m[1] !== undefined;
    const value = (phrase ? m[1]! : m[2]!).replace(/"/g, ' ').trim();
    if (value && WORDY.test(value)) parts.push({ text: value, phrase, end: m.index! + m[0].length });
  }
  const kept = parts.slice(0, MAX_TERMS);
  if (kept.length === 0) return { match: null, terms: [] };
  const last = kept[kept.length - 1]!;
  const stillTyping = !last.phrase && last.end === text.length && !/\s$/.test(text);
  const lastToken =
    last.text
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean)
      .pop() ?? '';
  const terms = kept.map((p) => quote(p.text));
  const prefixable = lastToken.length >= MIN_PREFIX && lastToken.length <= MAX_PREFIX;
  if (stillTyping && prefixable) terms[terms.length - 1] = `${terms[terms.length - 1]}*`;
  return { match: terms.join(' '), terms: kept.map((p) => p.text) };
}
