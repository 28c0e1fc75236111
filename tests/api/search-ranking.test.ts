import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { highlightText, snippetText } from '../../server/modules/search/highlight.ts';
import { countPhrase, fold, isTokenCode, tokenizesLikeIndex, toFtsQuery } from '../../server/modules/search/query.ts';
import { rankCandidates, type Candidate } from '../../server/modules/search/rank.ts';
import { freshDb, type TestApp } from '../support/app.ts';
import {
  discussionsApp,
  getJson,
  makeCategory,
  replyTo,
  signedMember,
  startThread,
  type Signed
} from '../support/discussions.ts';

/**
 * Search ranks, highlights and cuts snippets in JS (FTS5's bm25() reads the whole index per term).
 * These tests hold the JS to FTS5's own output on the real index (post_search, migrated).
 */

let db: Db;
beforeEach(() => {
  db = freshDb();
});
afterEach(() => {
  db.$client.close();
});

const index = (rows: { id: number; title: string; body: string }[]) => {
  const insert = db.$client.prepare('INSERT INTO post_search (rowid, title, body) VALUES (?, ?, ?)');
  db.$client.transaction(() => rows.forEach((r) => insert.run(r.id, r.title, r.body)))();
};

/** A small forum of generated posts: long and short, repeated words, diacritics, punctuation, sentences. */
function corpus(): { id: number; title: string; body: string }[] {
  let seed = 11;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const words = [
    'victim',
    'Victim',
    'victims',
    'interpreter',
    'shelter',
    'labor',
    'trafficking',
    'forced',
    'the',
    'a',
    'for',
    'ECM',
    'T-visa',
    't visa',
    'résumé',
    'Resume',
    'café',
    'Muñoz',
    'İzmir',
    'straße',
    'naïve',
    'grant',
    'hotline'
  ];
  const separators = [' ', ' ', ' ', ', ', '. ', ': ', '.', '\n', ' – ', '…', '! ', ' “', '” ', ' (', ') '];
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)]!;
  const text = (n: number) => Array.from({ length: n }, () => pick(words) + pick(separators)).join('');
  return Array.from({ length: 160 }, (_, n) => ({
    id: n + 1,
    title: rand() < 0.3 ? text(2 + Math.floor(rand() * 6)) : '',
    body: text(1 + Math.floor(rand() * 70))
  }));
}

const QUERIES = [
  'victim ',
  'Victim',
  'interp',
  '"forced labor"',
  '"the victim"',
  'T-visa',
  't visa ',
  'resume ',
  'cafe ',
  'muñoz ',
  'izmir ',
  'ECM grant ',
  'shelter "labor trafficking" ',
  'victim hotline '
];

describe('the JS reading of the index', () => {
  it('splits and folds exactly like the index on every character tokenizesLikeIndex() admits', () => {
    const claimed: number[] = [];
    for (let code = 1; code < 0x2100; code++) if (tokenizesLikeIndex(String.fromCodePoint(code))) claimed.push(code);
    expect(claimed.length).toBeGreaterThan(450);
    index(claimed.map((code) => ({ id: code, title: '', body: `q${String.fromCodePoint(code)}q` })));
    db.$client.exec(`CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, post_search, 'instance')`);
    const tokens = new Map<number, string[]>();
    for (const row of db.$client.prepare('SELECT doc, term FROM temp.terms ORDER BY doc, offset').all() as {
      doc: number;
      term: string;
    }[]) {
      tokens.set(row.doc, [...(tokens.get(row.doc) ?? []), row.term]);
    }
    const disagree = claimed.filter((code) => {
      const char = String.fromCodePoint(code);
      const mine = isTokenCode(code) ? [`q${fold(char)}q`] : ['q', 'q'];
      return (tokens.get(code) ?? []).join(' ') !== mine.join(' ');
    });
    expect(disagree.map((c) => c.toString(16))).toEqual([]);
    // Outside it the tokenizers differ, which is why search asks FTS5 there.
    for (const text of ['ά', 'µ', 'ǡ', 'e\u0301', 'हिन्दी']) expect(tokenizesLikeIndex(text), text).toBe(false);
  });

  it('counts a term as FTS5 matches it: whole tokens, phrases across separators, a prefix, without diacritics', () => {
    const count = (text: string, q: string) => countPhrase(fold(text), toFtsQuery(q).phrases[0]!);
    expect(count('Victim, victims; VICTIM. xvictim victim', 'victim ')).toBe(3);
    expect(count('trafficking traffic TRAFFICKED untraffic', 'traff')).toBe(3);
    expect(count('Forced labor. forced, labor; forcedlabor forced labors', '"forced labor"')).toBe(2);
    expect(count('T-visa t visa tvisa T visas', '"t visa"')).toBe(2);
    expect(count('Résumé RESUME resumes', 'resume ')).toBe(2);
  });

  it('gives the snippets and highlights FTS5 gives', () => {
    const rows = corpus();
    index(rows);
    let compared = 0;
    for (const q of QUERIES) {
      const parsed = toFtsQuery(q);
      const fts = db.$client
        .prepare(
          `SELECT rowid AS id, title, body, highlight(post_search, 0, '[', ']') AS title2, snippet(post_search, 1, '[', ']', '…', 24) AS snippet
           FROM post_search WHERE post_search MATCH ?`
        )
        .all(parsed.match) as { id: number; title: string; body: string; title2: string; snippet: string }[];
      for (const row of fts) {
        expect(snippetText(row.body, parsed.phrases, '[', ']').html, `${q} in post ${row.id}`).toBe(row.snippet);
        expect(highlightText(row.title, parsed.phrases, '[', ']'), `${q} in title ${row.id}`).toBe(row.title2);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(300);
  });

  it('ranks one term in the order of FTS5 bm25(10, 1)', () => {
    index(corpus());
    for (const q of QUERIES.filter((x) => toFtsQuery(x).phrases.length === 1)) {
      const parsed = toFtsQuery(q);
      const candidates = db.$client
        .prepare(
          `SELECT s.rowid AS id, s.title, s.body, d.sz AS sizes FROM post_search s
           LEFT JOIN post_search_docsize d ON d.id = s.rowid WHERE post_search MATCH ? ORDER BY s.rowid DESC`
        )
        .all(parsed.match) as Candidate[];
      const fts = db.$client
        .prepare('SELECT rowid AS id FROM post_search WHERE post_search MATCH ? ORDER BY rank, rowid DESC')
        .all(parsed.match) as { id: number }[];
      expect(fts.length, q).toBeGreaterThan(3);
      expect(
        rankCandidates(db, parsed, candidates).map((c) => c.id),
        q
      ).toEqual(fts.map((r) => r.id));
    }
  });
});

describe('search ranking through the API', () => {
  let t: TestApp;
  let admin: Signed;
  let alice: Signed;
  beforeEach(async () => {
    t = await discussionsApp();
    admin = await signedMember(t, { role: 'admin' });
    alice = await signedMember(t);
  });
  afterEach(async () => {
    await t.close();
  });

  it('weighs the rarer of two terms more (each term’s share of the forum), whatever the order typed', async () => {
    const category = await makeCategory(t, admin);
    const { threadId } = await startThread(t, alice, category, { title: 'Weekly notes from the field', body: 'Opening notes.' });
    // "report" is everywhere, "polygraph" rare: the post saying "polygraph" more wins, though older.
    const polygraphs = await replyTo(t, alice, threadId, 'The polygraph, the polygraph and the polygraph report.');
    const reports = await replyTo(t, alice, threadId, 'The report, the report and the report: polygraph.');
    for (let i = 0; i < 6; i++) await replyTo(t, alice, threadId, `Another weekly report, number ${i}.`);
    for (const q of ['report polygraph ', 'polygraph report ']) {
      const res = await getJson(t, alice, `/api/search?q=${encodeURIComponent(q)}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().hits.map((h: { postId: number }) => h.postId)).toEqual([polygraphs.postId, reports.postId]);
    }
  });

  it('highlights text the JS tokenizer does not mirror through FTS5 itself', async () => {
    const category = await makeCategory(t, admin);
    const { postId } = await startThread(t, alice, category, {
      title: 'Greek-speaking survivors',
      body: 'We met the Ελληνική κοινότητα liaison in Αθήνα last week.'
    });
    // FTS5 keeps Greek accents (its Unicode tables are older than JS's): the accent must be typed.
    const res = await getJson(t, alice, `/api/search?q=${encodeURIComponent('Αθήνα ')}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().hits).toHaveLength(1);
    expect(res.json().hits[0]).toMatchObject({
      postId,
      snippetHtml: 'We met the Ελληνική κοινότητα liaison in <mark>Αθήνα</mark> last week.'
    });
  });
});
