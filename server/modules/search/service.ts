import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { READABLE_CATEGORY_IDS_SQL, readerParams } from '../../policies/discussions.ts';
import { MINUTE } from '../../shared/clock.ts';
import { endOfDayUtc } from '../../shared/dates.ts';
import { Invalid, TooManyRequests } from '../../shared/errors.ts';
import { all, get, idList } from '../discussions/sql.ts';
import { highlightText, SNIPPET_TOKENS, snippetText } from './highlight.ts';
import { tokenizesLikeIndex, toFtsQuery } from './query.ts';
import { rankCandidates, type Candidate } from './rank.ts';
import { searchResourcesForGlobal } from '../resources/read.ts';
import { searchMembersForGlobal } from '../directory/search.ts';
import { attachedHome } from '../discussions/attached.ts';
import type { AttachedKind } from '../../../db/schema/index.ts';

export interface SearchQuery {
  q: string;
  categoryId?: number;
  authorId?: number;
  /** YYYY-MM-DD, inclusive (UTC days). */
  from?: string;
  to?: string;
  /** Only posts in threads the member started. */
  mine?: boolean;
  page?: number;
}

export const SEARCH_PAGE_SIZE = 20;
/** The API serves at most this many pages (discussions/schemas.ts, searchQuery.page). */
const MAX_PAGES = 10;
/**
 * Ranking is "best of the newest WINDOW matches the member may read" (BM25, rank.ts), WINDOW being
 * every hit the pages can show: a common word can match most of the forum, and scoring reads each
 * candidate's text (~10 µs a candidate on 1M posts, more when the matches are scattered). Older
 * matches are not ranked (the newest are what practitioners look for first); a query with fewer
 * matches has them all ranked. A window of 500 costs ~1.5 ms more at p50 and ~3 ms at p99.
 */
const WINDOW = SEARCH_PAGE_SIZE * MAX_PAGES;
const MARK_OPEN = '\u0002';
const MARK_CLOSE = '\u0003';

/**
 * Everything the searcher may not see is filtered here, and deleted or hidden posts are absent from
 * the index (indexer.ts), so the filters never read a post's row: posts_id_unique covers p.thread_id.
 * The optional filters are only in the SQL when asked for, so a plain search stays on that index.
 */
function filtersFor(options: { categoryId: boolean; authorId: boolean; mine: boolean; fromAt: boolean; toAt: boolean }) {
  return [
    `t.category_id IN (${READABLE_CATEGORY_IDS_SQL})`,
    't.deleted_at IS NULL',
    options.categoryId ? 't.category_id = @categoryId' : '',
    options.authorId ? 'p.author_id = @authorId' : '',
    options.mine ? 't.author_id = @mine' : '',
    options.fromAt ? 'p.created_at >= @fromAt' : '',
    options.toAt ? 'p.created_at <= @toAt' : ''
  ]
    .filter(Boolean)
    .join(' AND ');
}

const JOINS = 'JOIN posts p ON p.id = s.rowid JOIN threads t ON t.id = p.thread_id';
// better-sqlite3 binds JS numbers as REAL, and FTS5 mishandles `MATCH … AND rowid = <real>` (it
// returns the first match, not that row): rowid parameters next to MATCH are cast to INTEGER.

interface Hit {
  postId: number;
  threadId: number;
  number: number;
  authorId: number;
  authorName: string;
  createdAt: number;
  threadTitle: string;
  categoryId: number;
  categoryName: string;
  attachedKind: AttachedKind | null;
  categoryColour: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** FTS5's output is text, never HTML: escape it all, then turn only our own markers into <mark>. */
export function markedHtml(fts: string): string {
  return escapeHtml(fts).replaceAll(MARK_OPEN, '<mark>').replaceAll(MARK_CLOSE, '</mark>');
}

/**
 * A shown hit's title and snippet with the terms marked: from the text already read (highlight.ts)
 * when the JS tokenizer reads it exactly as the index does; otherwise, or should it find no term
 * where FTS5 found one, FTS5's own highlight() and snippet() answer (one lookup by rowid).
 */
function markedText(ctx: Ctx, parsed: ReturnType<typeof toFtsQuery>, text: Candidate): { title: string; snippet: string } {
  const mirrored = tokenizesLikeIndex(text.title) && tokenizesLikeIndex(text.body) && parsed.terms.every(tokenizesLikeIndex);
  const title = mirrored && text.title ? highlightText(text.title, parsed.phrases, MARK_OPEN, MARK_CLOSE) : '';
  const snippet = mirrored ? snippetText(text.body, parsed.phrases, MARK_OPEN, MARK_CLOSE) : { html: '', hits: 0 };
  if (snippet.hits > 0 || title.includes(MARK_OPEN)) return { title, snippet: snippet.html };
  return (
    get<{ title: string; snippet: string }>(
      ctx.db,
      `SELECT highlight(post_search, 0, @open, @close) AS title, snippet(post_search, 1, @open, @close, '…', ${SNIPPET_TOKENS}) AS snippet
       FROM post_search WHERE post_search MATCH @q AND rowid = CAST(@postId AS INTEGER)`,
      { q: parsed.match, open: MARK_OPEN, close: MARK_CLOSE, postId: text.id }
    ) ?? { title, snippet: snippet.html }
  );
}

function dayStart(value: string, field: string): number {
  return endOfDayUtc(value, field) - 86_400_000 + 1;
}

export function search(ctx: Ctx, query: SearchQuery) {
  authorize(ctx.actor, 'search.use');
  const parsed = toFtsQuery(query.q);
  if (parsed.match === null) throw new Invalid('Type at least one word to search for.', { q: 'Type a word to search for.' });
  const fromAt = query.from ? dayStart(query.from, 'from') : null;
  const toAt = query.to ? endOfDayUtc(query.to, 'to') : null;
  if (fromAt !== null && toAt !== null && fromAt > toAt) {
    throw new Invalid('The start date is after the end date.', { from: 'Must be on or before the end date.' });
  }
  const now = ctx.clock.now();
  const wait = ctx.limiter.hit(`search:${ctx.actor.id}`, [{ limit: 30, windowMs: MINUTE }], now);
  if (wait > 0) throw new TooManyRequests(`You are searching very quickly: try again in ${wait} seconds.`, wait);

  const page = query.page ?? 1;
  const params = {
    q: parsed.match,
    categoryId: query.categoryId ?? null,
    authorId: query.authorId ?? null,
    mine: query.mine ? ctx.actor.id : null,
    fromAt,
    toAt,
    ...readerParams(ctx.actor)
  };
  const filters = filtersFor({
    categoryId: params.categoryId !== null,
    authorId: params.authorId !== null,
    mine: params.mine !== null,
    fromAt: fromAt !== null,
    toAt: toAt !== null
  });
  // FTS5 walks the matches newest first and stops at WINDOW readable ones; their indexed text and
  // length in tokens are what ranking, highlights and snippets need, so they are read once, here.
  const candidates = all<Candidate>(
    ctx.db,
    `SELECT s.rowid AS id, s.title, s.body, d.sz AS sizes FROM post_search s ${JOINS}
       LEFT JOIN post_search_docsize d ON d.id = s.rowid
     WHERE post_search MATCH @q AND ${filters} ORDER BY s.rowid DESC LIMIT ${WINDOW}`,
    params
  );
  const ranked = rankCandidates(ctx.db, parsed, candidates);
  const first = (page - 1) * SEARCH_PAGE_SIZE;
  const shownCandidates = ranked.slice(first, first + SEARCH_PAGE_SIZE);
  const shownIds = shownCandidates.map((c) => c.id);
  const texts = new Map(shownCandidates.map((c) => [c.id, c]));
  const ids = idList(shownIds);
  const details = new Map(
    all<Hit>(
      ctx.db,
      `SELECT p.id AS postId, p.thread_id AS threadId, p.number, p.author_id AS authorId, m.name AS authorName,
         p.created_at AS createdAt, t.title AS threadTitle, t.category_id AS categoryId, c.name AS categoryName,
         c.colour AS categoryColour, c.attached_kind AS attachedKind
       FROM posts p JOIN threads t ON t.id = p.thread_id JOIN members m ON m.id = p.author_id
         JOIN categories c ON c.id = t.category_id
       WHERE p.id IN (SELECT value FROM json_each(@ids))`,
      { ids }
    ).map((hit) => [hit.postId, hit])
  );
  const shown = shownIds.map((id) => details.get(id)).filter((hit): hit is Hit => hit !== undefined);
  return {
    query: query.q,
    page,
    hasMore: ranked.length > first + SEARCH_PAGE_SIZE,
    /** Resources beside the discussions: the best few the member may see (first page only). */
    resources: page === 1 ? searchResourcesForGlobal(ctx, parsed.match) : [],
    /** Members whose visible fields hold every word (the directory rule; first page only). */
    members: page === 1 ? searchMembersForGlobal(ctx, query.q) : [],
    hits: shown.map((hit) => {
      const marked = markedText(ctx, parsed, texts.get(hit.postId)!);
      const titleMarked = marked.title ? marked.title : hit.threadTitle;
      return {
        postId: hit.postId,
        threadId: hit.threadId,
        number: hit.number,
        isOpeningPost: hit.number === 1,
        threadTitle: hit.threadTitle,
        /** Escaped text with <mark> around matches: safe to insert as HTML. */
        titleHtml: markedHtml(titleMarked),
        snippetHtml: markedHtml(marked.snippet),
        author: { id: hit.authorId, name: hit.authorName },
        category: { id: hit.categoryId, name: hit.categoryName, colour: hit.categoryColour },
        /** A comment on a resource, spotlight or suggestion opens that page. */
        home: attachedHome(ctx.db, hit.attachedKind, hit.threadId),
        createdAt: hit.createdAt
      };
    })
  };
}
