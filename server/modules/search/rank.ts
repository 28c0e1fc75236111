import type { DbOrTx } from '../../../db/client.ts';
import { get } from '../discussions/sql.ts';
import { countPhrase, fold, type ParsedQuery } from './query.ts';

/**
 * FTS5's bm25() (ext/fts5/fts5_aux.c: k1 1.2, b 0.75, the index's column weights title 10 and
 * body 1, migration 0003), computed here over the candidates search already read.
 *
 * Why not bm25() itself: before scoring its first row it counts the posts holding each term over
 * the WHOLE index (the IDF), reading every term's full doclist — 12–20 ms for a common word and
 * 100–150 ms for a phrase of common words on 1M posts, however few rows are ranked. Here:
 *  - term frequencies are counted in the candidates' indexed text (countPhrase);
 *  - a post's length in tokens and the forum's average come from FTS5's own bookkeeping (the
 *    post_search_docsize row of each post and the "averages" record, post_search_data id 1);
 *  - a term's IDF is estimated from its share of the newest IDF_SAMPLE posts (one bounded count
 *    per term), and only when the query has two terms or more: with one it scales every score
 *    alike and cannot change the order.
 * With one term the order is the same as FTS5's `ORDER BY rank` (tests/api/search-ranking.test.ts).
 * Ties go to the newer post.
 */

const K1 = 1.2;
const B = 0.75;
const TITLE_WEIGHT = 10;
const BODY_WEIGHT = 1;
/** Posts (newest rowids) on which each term's share of the forum is estimated. */
export const IDF_SAMPLE = 5000;

export interface Candidate {
  id: number;
  title: string;
  body: string;
  /** post_search_docsize.sz: one varint per column, its length in tokens. */
  sizes: Uint8Array | null;
}

/** FTS5's varints (SQLite's: 7 bits a byte, high bit set on all but the last; a 9th byte keeps 8). */
function varints(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    let value = 0;
    for (let n = 0; i < bytes.length; n++) {
      const byte = bytes[i++]!;
      if (n === 8) {
        value = value * 256 + byte;
        break;
      }
      value = value * 128 + (byte & 0x7f);
      if (byte < 0x80) break;
    }
    out.push(value);
  }
  return out;
}

const sum = (list: number[]) => list.reduce((a, b) => a + b, 0);

/** Posts in the index and their average length in tokens (FTS5's averages record), or null if unreadable. */
function corpus(db: DbOrTx): { rows: number; averageLength: number } | null {
  const block = get<{ block: Uint8Array | null }>(db, 'SELECT block FROM post_search_data WHERE id = 1')?.block;
  if (!block) return null;
  const [rows, ...columns] = varints(block);
  if (!rows || columns.length !== 2) return null;
  return { rows, averageLength: sum(columns) / rows };
}

/** FTS5's IDF, log((N - n + 0.5) / (n + 0.5)) floored at 1e-6, n from each term's share of the sample. */
function termWeights(db: DbOrTx, parsed: ParsedQuery, rows: number): number[] {
  if (parsed.ftsTerms.length < 2) return parsed.ftsTerms.map(() => 1);
  const newest = get<{ id: number }>(db, 'SELECT rowid AS id FROM post_search ORDER BY rowid DESC LIMIT 1')?.id ?? 0;
  const from = newest - IDF_SAMPLE;
  // Rowid gaps (deleted or hidden posts) make this a slight overcount: it only needs to be close.
  const sample = Math.max(1, Math.min(IDF_SAMPLE, newest));
  return parsed.ftsTerms.map((term) => {
    const inSample =
      get<{ n: number }>(
        db,
        'SELECT count(*) AS n FROM post_search WHERE post_search MATCH @term AND rowid > CAST(@from AS INTEGER)',
        { term, from }
      )?.n ?? 0;
    const n = (inSample / sample) * rows;
    return Math.max(1e-6, Math.log((rows - n + 0.5) / (n + 0.5)));
  });
}

/** The candidates, best first. */
export function rankCandidates<T extends Candidate>(db: DbOrTx, parsed: ParsedQuery, candidates: T[]): T[] {
  if (candidates.length <= 1) return candidates;
  const lengths = candidates.map((c) => (c.sizes ? sum(varints(c.sizes)) : null));
  const known = lengths.filter((n): n is number => n !== null);
  // Without FTS5's averages, the candidates' own mean stands in (the ratio is all BM25 uses).
  const stats = corpus(db) ?? { rows: candidates.length, averageLength: sum(known) / (known.length || 1) };
  const average = stats.averageLength || 1;
  const weights = termWeights(db, parsed, stats.rows);
  const scored = candidates.map((candidate, n) => {
    const norm = K1 * (1 - B + (B * (lengths[n] ?? average)) / average);
    const title = candidate.title ? fold(candidate.title) : '';
    const body = fold(candidate.body);
    let score = 0;
    parsed.phrases.forEach((phrase, i) => {
      const counted = (title ? TITLE_WEIGHT * countPhrase(title, phrase) : 0) + BODY_WEIGHT * countPhrase(body, phrase);
      // FTS5 matched the post: should the count disagree with its tokenizer, the term still counts once.
      const frequency = counted > 0 ? counted : BODY_WEIGHT;
      score += (weights[i]! * (frequency * (K1 + 1))) / (frequency + norm);
    });
    return { candidate, score };
  });
  scored.sort((a, b) => b.score - a.score || b.candidate.id - a.candidate.id);
  return scored.map((s) => s.candidate);
}
