import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { READABLE_CATEGORY_IDS_SQL, readerParams } from '../../policies/discussions.ts';
import { MINUTE } from '../../shared/clock.ts';
import { endOfDayUtc } from '../../shared/dates.ts';
import { Invalid, TooManyRequests } from '../../shared/errors.ts';
import { all, get, idList } from '../discussions/sql.ts';
import { toFtsQuery } from './query.ts';

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
/**
 * Ranking is done over the newest WINDOW matches the member may read: bm25 costs per matching row,
 * and a common word can match a large part of the forum. Older matches beyond the window are not
 * ranked (the newest are what practitioners look for first).
 */
const WINDOW = 2000;
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
  categoryColour: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** FTS5's output is text, never HTML: escape it all, then turn only our own markers into <mark>. */
export function markedHtml(fts: string): string {
  return escapeHtml(fts).replaceAll(MARK_OPEN, '<mark>').replaceAll(MARK_CLOSE, '</mark>');
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
  const cutoff =
    get<{ id: number }>(
      ctx.db,
      `SELECT s.rowid AS id FROM post_search s ${JOINS}
       WHERE post_search MATCH @q AND ${filters} ORDER BY s.rowid DESC LIMIT 1 OFFSET ${WINDOW - 1}`,
      params
    )?.id ?? 0;
  // Rank ids only; the shown hits' details are fetched afterwards, not carried through the sort.
  const ranked = all<{ id: number }>(
    ctx.db,
    `SELECT s.rowid AS id FROM post_search s ${JOINS}
     WHERE post_search MATCH @q AND s.rowid >= CAST(@cutoff AS INTEGER) AND ${filters}
     ORDER BY s.rank LIMIT @limit OFFSET @offset`,
    { ...params, cutoff, limit: SEARCH_PAGE_SIZE + 1, offset: (page - 1) * SEARCH_PAGE_SIZE }
  ).map((r) => r.id);
  const shownIds = ranked.slice(0, SEARCH_PAGE_SIZE);
  const ids = idList(shownIds);
  const details = new Map(
    all<Hit>(
      ctx.db,
      `SELECT p.id AS postId, p.thread_id AS threadId, p.number, p.author_id AS authorId, m.name AS authorName,
         p.created_at AS createdAt, t.title AS threadTitle, t.category_id AS categoryId, c.name AS categoryName,
         c.colour AS categoryColour
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
    hasMore: ranked.length > SEARCH_PAGE_SIZE,
    hits: shown.map((hit) => {
      // Snippets for the shown hits only: each is one lookup by rowid (cheaper than one query over
      // every match between the lowest and highest shown id).
      const marked = get<{ title: string; snippet: string }>(
        ctx.db,
        `SELECT highlight(post_search, 0, @open, @close) AS title, snippet(post_search, 1, @open, @close, '…', 24) AS snippet
         FROM post_search WHERE post_search MATCH @q AND rowid = CAST(@postId AS INTEGER)`,
        { q: parsed.match, open: MARK_OPEN, close: MARK_CLOSE, postId: hit.postId }
      );
      const titleMarked = marked?.title ? marked.title : hit.threadTitle;
      return {
        postId: hit.postId,
        threadId: hit.threadId,
        number: hit.number,
        isOpeningPost: hit.number === 1,
        threadTitle: hit.threadTitle,
        /** Escaped text with <mark> around matches: safe to insert as HTML. */
        titleHtml: markedHtml(titleMarked),
        snippetHtml: markedHtml(marked?.snippet ?? ''),
        author: { id: hit.authorId, name: hit.authorName },
        category: { id: hit.categoryId, name: hit.categoryName, colour: hit.categoryColour },
        createdAt: hit.createdAt
      };
    })
  };
}
