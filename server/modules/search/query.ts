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
  /** Each term as its own MATCH expression (the parts of `match`), for per-term counts. */
  ftsTerms: string[];
  /** Each term as the tokens FTS5 sees (folded like the index), for ranking and highlighting in JS. */
  phrases: Phrase[];
}

/** A term as a sequence of folded tokens; `prefix`: the last token matches any token it begins. */
export interface Phrase {
  tokens: string[];
  prefix: boolean;
}

/**
 * What the index's tokenizer (unicode61, remove_diacritics 2) keeps as token characters: letters,
 * numbers and combining marks (which it then drops); everything else separates tokens. Exact for
 * the text tokenizesLikeIndex() admits, near enough elsewhere for counting terms (ranking).
 */
const TOKEN_CHAR = '\\p{L}\\p{N}\\p{Mn}';
const SEPARATORS = new RegExp(`[^${TOKEN_CHAR}]+`, 'u');
const MARKS = /\p{Mn}/gu;

// eslint-disable-next-line no-control-regex
const ASCII = /^[\u0000-\u007f]*$/;

/** Text as the index compares it: without diacritics, lower case (a token, or a whole post to count terms in). */
export const fold = (text: string) =>
  ASCII.test(text) ? text.toLowerCase() : text.normalize('NFD').replace(MARKS, '').toLowerCase();

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
  if (kept.length === 0) return { match: null, terms: [], ftsTerms: [], phrases: [] };
  const last = kept[kept.length - 1]!;
  const stillTyping = !last.phrase && last.end === text.length && !/\s$/.test(text);
  const lastToken =
    last.text
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean)
      .pop() ?? '';
  const terms = kept.map((p) => quote(p.text));
  const prefixable = lastToken.length >= MIN_PREFIX && lastToken.length <= MAX_PREFIX;
  const prefix = stillTyping && prefixable;
  if (prefix) terms[terms.length - 1] = `${terms[terms.length - 1]}*`;
  const phrases = kept.map((p, n) => ({
    tokens: p.text.split(SEPARATORS).map(fold).filter(Boolean),
    prefix: prefix && n === kept.length - 1
  }));
  return { match: terms.join(' '), terms: kept.map((p) => p.text), ftsTerms: terms, phrases };
}

const TOKEN_CHAR_ONE = new RegExp(`^[${TOKEN_CHAR}]$`, 'u');

/**
 * Text in which the JS tokenizer here splits and folds exactly as the index's does: ASCII, Latin-1
 * and Latin Extended-A letters (µ aside) and general punctuation. Checked code point by code point
 * against FTS5 (tests/api/search-ranking.test.ts). Beyond it FTS5's older Unicode tables differ
 * (Greek accents kept, marks of other scripts splitting words, newer characters as letters), so
 * search asks FTS5 itself for the highlights of such text.
 */
// eslint-disable-next-line no-control-regex
const LIKE_INDEX = /^[\u0000-\u00b4\u00b6-\u017e\u2000-\u2064\u20ac]*$/;
export const tokenizesLikeIndex = (text: string) => LIKE_INDEX.test(text);

/** Is this code point part of a token? (By char code for ASCII: a regular expression per character is slow.) */
export function isTokenCode(code: number): boolean {
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
  return TOKEN_CHAR_ONE.test(String.fromCodePoint(code));
}

function tokenCharBefore(text: string, at: number): boolean {
  if (at <= 0) return false;
  const code = text.charCodeAt(at - 1);
  // The second half of a surrogate pair: look at the whole code point.
  return code >= 0xdc00 && code <= 0xdfff && at >= 2 ? isTokenCode(text.codePointAt(at - 2)!) : isTokenCode(code);
}

const tokenCharAt = (text: string, at: number) => at < text.length && isTokenCode(text.codePointAt(at)!);

/**
 * How many times a term occurs in folded text (fold()), for ranking. No regular expression: one
 * with Unicode classes costs milliseconds to compile, and every query is new.
 */
export function countPhrase(folded: string, phrase: Phrase): number {
  const [head, ...rest] = phrase.tokens;
  if (!head) return 0;
  let count = 0;
  for (let at = folded.indexOf(head); at >= 0; at = folded.indexOf(head, at + head.length)) {
    if (tokenCharBefore(folded, at)) continue;
    let end = at + head.length;
    let ok = true;
    for (let n = 0; n <= rest.length && ok; n++) {
      const last = n === rest.length;
      // A token ends where the term's token does, unless it is the prefix being typed.
      if (!(last && phrase.prefix) && tokenCharAt(folded, end)) ok = false;
      else if (!last) {
        let next = end;
        while (next < folded.length && !tokenCharAt(folded, next)) next++;
        ok = next > end && folded.startsWith(rest[n]!, next);
        end = next + rest[n]!.length;
      }
    }
    if (ok) count++;
  }
  return count;
}
