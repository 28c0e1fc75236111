import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import { READABLE_CATEGORY_IDS_SQL, readerParams } from '../../policies/discussions.ts';
import { Forbidden, Invalid } from '../../shared/errors.ts';
import { excerpt } from '../../shared/markdown.ts';
import { indexPost } from '../search/indexer.ts';
import { readableCategory } from './access.ts';
import { checkPostInterval, checkThreadQuota, compose, type ComposeInput } from './compose.ts';
import { publishMentions } from './notify.ts';
import { all, run } from './sql.ts';
import { addCategoryActivity, discardDraft, insertPost, markReadUpTo, watchUnlessChosen } from './store.ts';

export interface NewThreadInput extends ComposeInput {
  title: string;
}

/** Start a thread: the thread, its opening post, the search row, reading state and watching, in one transaction. */
export async function createThread(
  ctx: Ctx,
  categoryId: number,
  input: NewThreadInput
): Promise<{ threadId: number; postId: number }> {
  authorize(ctx.actor, 'discussions.use');
  const actor = ctx.actor;
  const category = readableCategory(ctx, categoryId);
  const composed = compose(ctx, input);
  checkThreadQuota(ctx);
  checkPostInterval(ctx);
  const now = ctx.clock.now();
  const title = composed.title!;
  const { threadId, postId } = await ctx.writes.run((tx) => {
    // Again inside the write: threads of the same member may share this group commit.
    checkThreadQuota(ctx);
    const thread = run(
      tx,
      `INSERT INTO threads (category_id, author_id, title, last_post_number, post_count, last_post_at, last_post_author_id, created_at, updated_at)
       VALUES (@categoryId, @authorId, @title, 1, 1, @now, @authorId, @now, @now)`,
      { categoryId, authorId: actor.id, title, now }
    );
    const threadId = Number(thread.lastInsertRowid);
    const postId = insertPost(tx, {
      threadId,
      number: 1,
      authorId: actor.id,
      body: composed.body,
      html: composed.html,
      quotePostId: null,
      privacyConfirmed: composed.findings.map((f) => f.kind),
      now
    });
    run(tx, 'UPDATE threads SET first_post_id = @postId WHERE id = @threadId', { postId, threadId });
    addCategoryActivity(tx, categoryId, 1, 1, now);
    indexPost(tx, postId, title, composed.text);
    markReadUpTo(tx, actor.id, threadId, 1, now);
    watchUnlessChosen(tx, actor.id, threadId, now);
    discardDraft(tx, actor.id, 'category', categoryId);
    return { threadId, postId };
  });
  // Answered once the watchers' notifications are stored too: a 2xx means nothing of it can be lost.
  await Promise.all([
    ctx.bus.publish({
      type: 'thread.created',
      threadId,
      categoryId: category.id,
      postId,
      authorId: actor.id,
      title,
      excerpt: excerpt(composed.text)
    }),
    publishMentions(ctx, composed.mentionIds, { postId, threadId, categoryId: category.id, byMemberId: actor.id })
  ]);
  return { threadId, postId };
}

export interface ThreadListQuery {
  after?: string;
  limit?: number;
  /** Moderators: the category's deleted threads instead. */
  view?: 'active' | 'deleted';
}

interface ThreadListRow {
  id: number;
  title: string;
  categoryId: number;
  categoryName: string;
  categoryColour: string;
  authorId: number;
  authorName: string;
  createdAt: number;
  lastPostAt: number;
  lastPostAuthorId: number | null;
  lastPostAuthorName: string | null;
  postCount: number;
  lastPostNumber: number;
  pinScope: 'category' | 'global' | null;
  pinnedUntil: number | null;
  lockedAt: number | null;
  closedAt: number | null;
  deletedAt: number | null;
  lastReadNumber: number | null;
}

const LIST_COLUMNS = `t.id, t.title, t.category_id AS categoryId, c.name AS categoryName, c.colour AS categoryColour,
  t.author_id AS authorId, am.name AS authorName, t.created_at AS createdAt, t.last_post_at AS lastPostAt,
  t.last_post_author_id AS lastPostAuthorId, lm.name AS lastPostAuthorName, t.post_count AS postCount,
  t.last_post_number AS lastPostNumber, t.pin_scope AS pinScope, t.pinned_until AS pinnedUntil,
  t.locked_at AS lockedAt, t.closed_at AS closedAt, t.deleted_at AS deletedAt, r.last_read_number AS lastReadNumber`;
const LIST_JOINS = `JOIN categories c ON c.id = t.category_id
  JOIN members am ON am.id = t.author_id
  LEFT JOIN members lm ON lm.id = t.last_post_author_id
  LEFT JOIN thread_reads r ON r.member_id = @me AND r.thread_id = t.id`;
const PINNED_NOW = '(t.pin_scope IS NOT NULL AND (t.pinned_until IS NULL OR t.pinned_until > @now))';
const AFTER = '(t.last_post_at < @afterAt OR (t.last_post_at = @afterAt AND t.id < @afterId))';
const ORDER = 'ORDER BY t.last_post_at DESC, t.id DESC LIMIT @limit';

function presentThread(row: ThreadListRow, now: number) {
  const pinned = row.pinScope !== null && (row.pinnedUntil === null || row.pinnedUntil > now);
  return {
    id: row.id,
    title: row.title,
    category: { id: row.categoryId, name: row.categoryName, colour: row.categoryColour },
    author: { id: row.authorId, name: row.authorName },
    createdAt: row.createdAt,
    lastPostAt: row.lastPostAt,
    lastPoster: row.lastPostAuthorId === null ? null : { id: row.lastPostAuthorId, name: row.lastPostAuthorName ?? '' },
    postCount: row.postCount,
    replyCount: Math.max(0, row.postCount - 1),
    /** Posts after the member's last read one; a thread never opened is "new" and all unread. */
    unreadCount: row.lastReadNumber === null ? row.lastPostNumber : Math.max(0, row.lastPostNumber - row.lastReadNumber),
    isNew: row.lastReadNumber === null,
    pinned: pinned ? { scope: row.pinScope!, until: row.pinnedUntil } : null,
    locked: row.lockedAt !== null,
    closed: row.closedAt !== null,
    deleted: row.deletedAt !== null
  };
}

function cursorOf(after: string | undefined): { afterAt: number; afterId: number } | null {
  if (after === undefined) return null;
  const match = /^(\d{1,15})\.(\d{1,12})$/.exec(after);
  if (!match) throw new Invalid('The page link is not valid.', { after: 'Not a page cursor.' });
  return { afterAt: Number(match[1]), afterId: Number(match[2]) };
}

function page(rows: ThreadListRow[], limit: number, now: number) {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    threads: shown.map((r) => presentThread(r, now)),
    next: rows.length > limit && last ? `${last.lastPostAt}.${last.id}` : null
  };
}

/** One category's threads by latest activity (keyset pages); pinned threads come first, on the first page only. */
export function listCategoryThreads(ctx: Ctx, categoryId: number, query: ThreadListQuery) {
  authorize(ctx.actor, 'discussions.use');
  const category = readableCategory(ctx, categoryId);
  const deleted = query.view === 'deleted';
  if (deleted && !can(ctx.actor, 'discussions.moderate')) throw new Forbidden('Only moderators can list deleted threads.');
  const limit = query.limit ?? 25;
  const now = ctx.clock.now();
  const cursor = cursorOf(query.after);
  const base = { me: ctx.actor.id, now, categoryId, limit: limit + 1 };
  const where = deleted ? 't.deleted_at IS NOT NULL' : `t.deleted_at IS NULL AND NOT ${PINNED_NOW}`;
  const rows = all<ThreadListRow>(
    ctx.db,
    `SELECT ${LIST_COLUMNS} FROM threads t ${LIST_JOINS}
     WHERE t.category_id = @categoryId AND ${where} ${cursor ? `AND ${AFTER}` : ''} ${ORDER}`,
    cursor ? { ...base, ...cursor } : base
  );
  const pinned =
    cursor || deleted
      ? []
      : all<ThreadListRow>(
          ctx.db,
          // `+t.category_id`: start from the few pinned threads (threads_pinned_idx), not from every
          // thread of the category sorted by activity.
          `SELECT ${LIST_COLUMNS} FROM threads t ${LIST_JOINS}
           WHERE +t.category_id = @categoryId AND t.deleted_at IS NULL AND ${PINNED_NOW}
           ORDER BY t.pin_scope = 'global' DESC, t.last_post_at DESC, t.id DESC`,
          { me: ctx.actor.id, now, categoryId }
        ).map((r) => presentThread(r, now));
  return {
    category: { id: category.id, name: category.name, colour: category.colour, isPrivate: category.isPrivate },
    pinned,
    ...page(rows, limit, now)
  };
}

/** The newest activity across every category the member may read; globally pinned threads first. */
export function listLatestThreads(ctx: Ctx, query: Omit<ThreadListQuery, 'view'>) {
  authorize(ctx.actor, 'discussions.use');
  const limit = query.limit ?? 25;
  const now = ctx.clock.now();
  const cursor = cursorOf(query.after);
  const base = { me: ctx.actor.id, now, limit: limit + 1, ...readerParams(ctx.actor) };
  // `+t.category_id`: walk threads_activity_idx newest first and filter, rather than gather every
  // thread of every readable category and sort them.
  const rows = all<ThreadListRow>(
    ctx.db,
    `SELECT ${LIST_COLUMNS} FROM threads t ${LIST_JOINS}
     WHERE +t.category_id IN (${READABLE_CATEGORY_IDS_SQL}) AND c.attached = 0 AND t.deleted_at IS NULL
       AND NOT (t.pin_scope IS 'global' AND (t.pinned_until IS NULL OR t.pinned_until > @now))
       ${cursor ? `AND ${AFTER}` : ''} ${ORDER}`,
    cursor ? { ...base, ...cursor } : base
  );
  const pinned = cursor
    ? []
    : all<ThreadListRow>(
        ctx.db,
        `SELECT ${LIST_COLUMNS} FROM threads t ${LIST_JOINS}
         WHERE +t.category_id IN (${READABLE_CATEGORY_IDS_SQL}) AND c.attached = 0 AND t.deleted_at IS NULL
           AND t.pin_scope = 'global' AND (t.pinned_until IS NULL OR t.pinned_until > @now)
         ORDER BY t.last_post_at DESC, t.id DESC`,
        { me: ctx.actor.id, now, ...readerParams(ctx.actor) }
      ).map((r) => presentThread(r, now));
  return { pinned, ...page(rows, limit, now) };
}
