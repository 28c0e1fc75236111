import { SUGGESTION_STATUSES, type SuggestionStatus } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import { READABLE_SUGGESTION_SQL, suggestionReaderParams } from '../../policies/suggestions.ts';
import { MINUTE } from '../../shared/clock.ts';
import { Invalid, TooManyRequests } from '../../shared/errors.ts';
import { all, get, idList } from '../discussions/sql.ts';
import { toFtsQuery } from '../search/query.ts';
import { displayNamesFor } from '../directory/names.ts';
import { readableSuggestion, stateOf } from './store.ts';

export const SORTS = ['votes', 'newest', 'status'] as const;
export type SuggestionSort = (typeof SORTS)[number];

export interface SuggestionListQuery {
  sort?: SuggestionSort;
  status?: SuggestionStatus;
  q?: string;
  after?: string;
  limit?: number;
}

/** "Sort by status": what is moving first, then what waits, then what is closed. */
const STATUS_ORDER: readonly SuggestionStatus[] = [
  'in_progress',
  'planned',
  'under_review',
  'new',
  'done',
  'declined',
  'already_exists'
];
const STATUS_RANK_SQL = `(CASE s.status ${STATUS_ORDER.map((st, i) => `WHEN '${st}' THEN ${i}`).join(' ')} ELSE 9 END)`;

interface Cursor {
  rank: number;
  count: number;
  id: number;
}

const CURSOR_SHAPES: Record<SuggestionSort, RegExp> = {
  newest: /^(\d{1,12})$/,
  votes: /^(\d{1,12})\.(\d{1,12})$/,
  status: /^(\d)\.(\d{1,12})\.(\d{1,12})$/
};

function cursorOf(after: string | undefined, sort: SuggestionSort): Cursor | null {
  if (after === undefined) return null;
  const m = CURSOR_SHAPES[sort].exec(after);
  if (!m) throw new Invalid('The page link is not valid.', { after: 'Not a page cursor.' });
  const n = m.slice(1).map(Number);
  if (sort === 'newest') return { rank: 0, count: 0, id: n[0]! };
  if (sort === 'votes') return { rank: 0, count: n[0]!, id: n[1]! };
  return { rank: n[0]!, count: n[1]!, id: n[2]! };
}

interface SummaryRow {
  id: number;
  title: string;
  status: SuggestionStatus;
  voteCount: number;
  authorId: number;
  createdAt: number;
  duplicateOfId: number | null;
  commentCount: number;
  myVote: 0 | 1;
  deletedAt: number | null;
}

/** Suggestions as every list shows them, in the order of `ids`. */
function summaries(ctx: Ctx, ids: readonly number[]) {
  if (ids.length === 0) return [];
  const rows = all<SummaryRow>(
    ctx.db,
    `SELECT s.id, s.title, s.status, s.vote_count AS voteCount, s.author_id AS authorId, s.created_at AS createdAt,
       s.duplicate_of_id AS duplicateOfId, s.deleted_at AS deletedAt, coalesce(t.post_count, 0) AS commentCount,
       EXISTS (SELECT 1 FROM suggestion_votes v WHERE v.suggestion_id = s.id AND v.member_id = @me) AS myVote
     FROM suggestions s LEFT JOIN threads t ON t.id = s.thread_id AND t.deleted_at IS NULL
     WHERE s.id IN (SELECT value FROM json_each(@ids))`,
    { ids: idList(ids), me: ctx.actor!.id }
  );
  const names = displayNamesFor(
    ctx.db,
    ctx.actor,
    rows.map((r) => r.authorId)
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids
    .map((id) => byId.get(id))
    .filter((r): r is SummaryRow => r !== undefined)
    .map((r) => ({
      id: r.id,
      title: r.title,
      status: r.status,
      voteCount: r.voteCount,
      myVote: r.myVote === 1,
      votingOpen: can(ctx.actor, 'suggestion.vote', { authorId: r.authorId, status: r.status, deletedAt: r.deletedAt }),
      author: { id: r.authorId, displayName: names.get(r.authorId) ?? 'A member' },
      commentCount: r.commentCount,
      duplicateOfId: r.duplicateOfId,
      createdAt: r.createdAt
    }));
}

function checkSearchRate(ctx: Ctx, key: string, limit: number): void {
  const wait = ctx.limiter.hit(`${key}:${ctx.actor!.id}`, [{ limit, windowMs: MINUTE }], ctx.clock.now());
  if (wait > 0) throw new TooManyRequests(`You are searching very quickly: try again in ${wait} seconds.`, wait);
}

/** The board: keyset pages (no OFFSET), sorted by votes, newest or status; filtered by status and words. */
export function listSuggestions(ctx: Ctx, query: SuggestionListQuery) {
  authorize(ctx.actor, 'suggestions.use');
  const sort = query.sort ?? 'votes';
  const limit = query.limit ?? 20;
  const cursor = cursorOf(query.after, sort);
  const parsed = query.q !== undefined ? toFtsQuery(query.q) : null;
  if (parsed && parsed.match === null)
    throw new Invalid('Type at least one word to search for.', { q: 'Type a word to search for.' });
  if (parsed) checkSearchRate(ctx, 'suggestion-search', 30);
  const where = [
    READABLE_SUGGESTION_SQL,
    's.deleted_at IS NULL',
    query.status ? 's.status = @status' : '',
    parsed ? 's.id IN (SELECT rowid FROM suggestion_search WHERE suggestion_search MATCH @q)' : '',
    cursor === null
      ? ''
      : sort === 'newest'
        ? 's.id < @afterId'
        : sort === 'votes'
          ? '(s.vote_count < @afterCount OR (s.vote_count = @afterCount AND s.id < @afterId))'
          : `(${STATUS_RANK_SQL} > @afterRank OR (${STATUS_RANK_SQL} = @afterRank AND (s.vote_count < @afterCount
               OR (s.vote_count = @afterCount AND s.id < @afterId))))`
  ]
    .filter(Boolean)
    .join(' AND ');
  const order =
    sort === 'newest'
      ? 's.id DESC'
      : sort === 'votes'
        ? 's.vote_count DESC, s.id DESC'
        : `${STATUS_RANK_SQL} ASC, s.vote_count DESC, s.id DESC`;
  const rows = all<{ id: number; rank: number; voteCount: number }>(
    ctx.db,
    `SELECT s.id, ${STATUS_RANK_SQL} AS rank, s.vote_count AS voteCount FROM suggestions s WHERE ${where}
     ORDER BY ${order} LIMIT @limit`,
    {
      ...suggestionReaderParams(ctx.actor),
      status: query.status ?? null,
      q: parsed?.match ?? null,
      afterId: cursor?.id ?? null,
      afterCount: cursor?.count ?? null,
      afterRank: cursor?.rank ?? null,
      limit: limit + 1
    }
  );
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  const next =
    rows.length > limit && last
      ? sort === 'newest'
        ? String(last.id)
        : sort === 'votes'
          ? `${last.voteCount}.${last.id}`
          : `${last.rank}.${last.voteCount}.${last.id}`
      : null;
  return {
    suggestions: summaries(
      ctx,
      shown.map((r) => r.id)
    ),
    next
  };
}

/** Little words that would make every suggestion look similar. */
const STOP_WORDS = new Set(
  'a an and are as at be but by can do for from has have how i in into is it of on or our should so that the their there this to we what when which with would you your'.split(
    ' '
  )
);

/**
 * Duplicate hints while a member types a title: any of the words (the last one also as a prefix,
 * as it is still being typed), best matches first (title weighs five times the description),
 * at most five; merged duplicates and deleted suggestions are left out.
 */
export function similarSuggestions(ctx: Ctx, q: string, excludeId?: number) {
  authorize(ctx.actor, 'suggestions.use');
  const parsed = toFtsQuery(q);
  const terms = parsed.ftsTerms.filter((_, i) => !STOP_WORDS.has(parsed.terms[i]!.toLowerCase()));
  if (terms.length === 0) return { suggestions: [] };
  checkSearchRate(ctx, 'suggestion-similar', 90);
  const ids = all<{ id: number }>(
    ctx.db,
    `SELECT s.id FROM suggestion_search f JOIN suggestions s ON s.id = f.rowid
     WHERE suggestion_search MATCH @q AND ${READABLE_SUGGESTION_SQL} AND s.deleted_at IS NULL
       AND s.status <> 'already_exists' AND s.id <> @excludeId
     ORDER BY f.rank LIMIT 5`,
    { q: terms.join(' OR '), excludeId: excludeId ?? 0, ...suggestionReaderParams(ctx.actor) }
  ).map((r) => r.id);
  return { suggestions: summaries(ctx, ids) };
}

/** One suggestion with everything its page shows: the description, the status history with notes, the original. */
export function getSuggestion(ctx: Ctx, id: number) {
  authorize(ctx.actor, 'suggestions.use');
  const row = readableSuggestion(ctx, id);
  const [summary] = summaries(ctx, [id]);
  const history = all<{
    id: number;
    fromStatus: SuggestionStatus;
    toStatus: SuggestionStatus;
    note: string | null;
    duplicateOfId: number | null;
    changedBy: number;
    createdAt: number;
  }>(
    ctx.db,
    `SELECT id, from_status AS fromStatus, to_status AS toStatus, note, duplicate_of_id AS duplicateOfId,
       changed_by AS changedBy, created_at AS createdAt
     FROM suggestion_status_changes WHERE suggestion_id = @id ORDER BY id`,
    { id }
  );
  const names = displayNamesFor(
    ctx.db,
    ctx.actor,
    history.map((h) => h.changedBy)
  );
  const original =
    row.duplicateOfId === null
      ? null
      : (get<{ id: number; title: string; status: SuggestionStatus }>(
          ctx.db,
          'SELECT id, title, status FROM suggestions WHERE id = @originalId AND deleted_at IS NULL',
          { originalId: row.duplicateOfId }
        ) ?? null);
  const duplicates = all<{ id: number; title: string }>(
    ctx.db,
    `SELECT id, title FROM suggestions WHERE duplicate_of_id = @id AND status = 'already_exists' AND deleted_at IS NULL
     ORDER BY id`,
    { id }
  );
  const state = stateOf(row);
  return {
    ...summary!,
    description: row.description,
    /** Sanitized when saved: the only member text a page may insert as HTML. */
    descriptionHtml: row.descriptionHtml,
    statusNote: row.statusNote,
    statusChangedAt: row.statusChangedAt,
    threadId: row.threadId,
    deleted: row.deletedAt !== null,
    history: history.map((h) => ({
      id: h.id,
      fromStatus: h.fromStatus,
      toStatus: h.toStatus,
      note: h.note,
      duplicateOfId: h.duplicateOfId,
      changedBy: { id: h.changedBy, displayName: names.get(h.changedBy) ?? 'A member' },
      createdAt: h.createdAt
    })),
    original,
    duplicates,
    can: {
      vote: can(ctx.actor, 'suggestion.vote', state),
      edit: can(ctx.actor, 'suggestion.edit', state),
      setStatus: can(ctx.actor, 'suggestion.setStatus', state),
      delete: can(ctx.actor, 'suggestion.delete', state)
    }
  };
}

export const STATUSES = SUGGESTION_STATUSES;
