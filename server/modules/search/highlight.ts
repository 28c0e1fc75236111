import { fold, isTokenCode, type Phrase } from './query.ts';

/**
 * Highlights and snippets for the hits shown, from the indexed text search already read, without
 * one FTS5 query per hit. They follow FTS5's highlight() and snippet() (ext/fts5/fts5_aux.c) step
 * by step, so the output is the same: marks around each run of overlapping term instances; a
 * fragment of SNIPPET_TOKENS tokens chosen by the same scores (1000 per distinct term, 1 per
 * repeat, a bonus for starting a sentence) and centred the same way; "…" where text was cut.
 * Tokens are found and folded like the index's tokenizer (query.ts).
 */

export const SNIPPET_TOKENS = 24;
const ELLIPSIS = '…';

interface Instance {
  phrase: number;
  /** Token position of the instance's first token. */
  at: number;
  size: number;
}

/**
 * A text's tokens as offsets, without a string per token (the shown posts hold thousands of
 * tokens, and allocating each one costs more than the search's SQL).
 */
class Tokens {
  readonly count: number;
  private readonly lower: string;
  /** Lower-casing can change a string's length (İ): then each token is folded on its own. */
  private readonly aligned: boolean;

  constructor(
    readonly text: string,
    readonly starts: Int32Array,
    readonly ends: Int32Array,
    private readonly ascii: Uint8Array,
    count: number
  ) {
    this.count = count;
    this.lower = text.toLowerCase();
    this.aligned = this.lower.length === text.length;
  }

  static of(text: string): Tokens {
    // Tokens are separated by at least one character: at most half the text, rounded up.
    const most = Math.ceil(text.length / 2) + 1;
    const starts = new Int32Array(most);
    const ends = new Int32Array(most);
    const ascii = new Uint8Array(most);
    let count = 0;
    let start = -1;
    let plain = 1;
    for (let i = 0; i <= text.length;) {
      const code = i < text.length ? text.codePointAt(i)! : 32;
      if (isTokenCode(code)) {
        if (start < 0) {
          start = i;
          plain = 1;
        }
        if (code >= 128) plain = 0;
      } else if (start >= 0) {
        starts[count] = start;
        ends[count] = i;
        ascii[count++] = plain;
        start = -1;
      }
      i += code > 0xffff ? 2 : 1;
    }
    return new Tokens(text, starts, ends, ascii, count);
  }

  /** Is token n the folded token `want` (or, as a prefix, does it begin with it)? */
  is(n: number, want: string, prefix: boolean): boolean {
    const start = this.starts[n]!;
    const length = this.ends[n]! - start;
    if (this.ascii[n] && this.aligned) {
      return (prefix ? length >= want.length : length === want.length) && this.lower.startsWith(want, start);
    }
    const folded = fold(this.text.slice(start, this.ends[n]));
    return prefix ? folded.startsWith(want) : folded === want;
  }
}

/** Every instance of every term, in FTS5's order: by position, then by term. */
function instances(list: Tokens, phrases: Phrase[]): Instance[] {
  const found: Instance[] = [];
  for (let at = 0; at < list.count; at++) {
    for (let p = 0; p < phrases.length; p++) {
      const { tokens, prefix } = phrases[p]!;
      const size = tokens.length;
      if (size === 0 || at + size > list.count) continue;
      let hit = true;
      for (let j = 0; j < size && hit; j++) hit = list.is(at + j, tokens[j]!, prefix && j === size - 1);
      if (hit) found.push({ phrase: p, at, size });
    }
  }
  return found;
}

/** Overlapping instances merged into runs [first, last] (FTS5's coalesced instances). */
function runs(found: Instance[]): [number, number][] {
  const out: [number, number][] = [];
  for (const inst of found) {
    const last = inst.at + inst.size - 1;
    const run = out[out.length - 1];
    if (run && inst.at <= run[1]) run[1] = Math.max(run[1], last);
    else out.push([inst.at, last]);
  }
  return out;
}

/**
 * Tokens [from, to] (to may pass the last token) with the runs starting inside marked, a run still
 * open at `to` closed there; from the text's start when `from` is 0, to its end when `to` reaches it.
 */
function render(list: Tokens, found: Instance[], from: number, to: number, open: string, close: string) {
  const { text, starts, ends } = list;
  let out = '';
  let at = from === 0 ? 0 : starts[from]!;
  for (const [first, last] of runs(found)) {
    if (first < from || first > to) continue;
    const end = Math.min(last, to);
    out += `${text.slice(at, starts[first])}${open}${text.slice(starts[first], ends[end])}${close}`;
    at = ends[end]!;
  }
  return to >= list.count - 1 ? out + text.slice(at) : out + text.slice(at, ends[to]);
}

/** The whole text with every term instance marked (thread titles). */
export function highlightText(text: string, phrases: Phrase[], open: string, close: string): string {
  const list = Tokens.of(text);
  if (list.count === 0) return text;
  return render(list, instances(list, phrases), 0, list.count - 1, open, close);
}

/** Positions of the tokens that start a sentence: the first, and any after ". " or ": " (whitespace required). */
function sentenceStarts(list: Tokens): number[] {
  const { text } = list;
  const firsts: number[] = list.count > 0 ? [0] : [];
  for (let n = 1; n < list.count; n++) {
    const start = list.starts[n]!;
    let i = start - 1;
    for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(--i));
    const c = text.charCodeAt(i);
    if (i !== start - 1 && (c === 46 || c === 58)) firsts.push(n);
  }
  return firsts;
}

/** fts5SnippetScore: the fragment starting at `from`, and where to start it to centre its instances. */
function score(found: Instance[], from: number, size: number, columnSize: number) {
  const seen = new Set<number>();
  let total = 0;
  let first = -1;
  let last = 0;
  for (const inst of found) {
    if (inst.at < from || inst.at >= from + size) continue;
    total += seen.has(inst.phrase) ? 1 : 1000;
    seen.add(inst.phrase);
    if (first < 0) first = inst.at;
    last = inst.at + inst.size;
  }
  let start = first - Math.trunc((size - (last - first)) / 2);
  if (start + size > columnSize) start = columnSize - size;
  return { total, start: Math.max(0, start) };
}

/** The snippet of a post's text, as FTS5's snippet(…, SNIPPET_TOKENS) gives it; `hits`: term instances found. */
export function snippetText(text: string, phrases: Phrase[], open: string, close: string): { html: string; hits: number } {
  const list = Tokens.of(text);
  if (list.count === 0) return { html: text, hits: 0 };
  const found = instances(list, phrases);
  const sentences = list.count > SNIPPET_TOKENS ? sentenceStarts(list) : [];
  let best = { total: 0, start: 0 };
  for (const inst of found) {
    const centred = score(found, inst.at, SNIPPET_TOKENS, list.count);
    if (centred.total > best.total) best = centred;
    let j = 0;
    while (j < sentences.length - 1 && sentences[j + 1]! <= inst.at) j++;
    const sentence = sentences[j];
    if (sentence !== undefined && sentence < inst.at) {
      const total = score(found, sentence, SNIPPET_TOKENS, list.count).total + (sentence === 0 ? 120 : 100);
      if (total > best.total) best = { total, start: sentence };
    }
  }
  const to = best.start + SNIPPET_TOKENS - 1;
  const html =
    (best.start > 0 ? ELLIPSIS : '') + render(list, found, best.start, to, open, close) + (to >= list.count - 1 ? '' : ELLIPSIS);
  return { html, hits: found.length };
}
