import type { NotificationLevel, Reaction } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import { READABLE_CATEGORY_IDS_SQL, readerParams } from '../../policies/discussions.ts';
import { Conflict, Forbidden, Invalid } from '../../shared/errors.ts';
import { excerpt } from '../../shared/markdown.ts';
import { readableCategory, readablePost, readableThread } from './access.ts';
import { checkActionRate } from './compose.ts';
import { all, get, run } from './sql.ts';
import { markReadUpTo } from './store.ts';
import { MINUTE } from '../../shared/clock.ts';
import { markReadForThread } from '../notifications/service.ts';

function reactionCounts(ctx: Ctx, postId: number) {
  return all<{ kind: Reaction; count: number; reacted: number }>(
    ctx.db,
    `SELECT kind, count(*) AS count, max(member_id = @me) AS reacted FROM post_reactions WHERE post_id = @postId
     GROUP BY kind ORDER BY kind`,
    { postId, me: ctx.actor!.id }
  ).map((r) => ({ kind: r.kind, count: r.count, reacted: r.reacted === 1 }));
}

/** Toggle one reaction (or set it: reacted true/false). One of each kind per member per post. */
export async function react(ctx: Ctx, postId: number, kind: Reaction, reacted?: boolean) {
  authorize(ctx.actor, 'discussions.use');
  const loaded = readablePost(ctx, postId);
  if (!can(ctx.actor, 'post.react', loaded.postState)) {
    if (loaded.post.authorId === ctx.actor.id) throw new Forbidden('You cannot react to your own post.');
    if (loaded.thread.lockedAt !== null) throw new Conflict('This thread is locked.');
    throw new Conflict('This post cannot take reactions now.');
  }
  checkActionRate(ctx, 'react', 60, MINUTE);
  const key = { postId, kind, me: ctx.actor.id };
  const has =
    get(ctx.db, 'SELECT 1 FROM post_reactions WHERE post_id = @postId AND kind = @kind AND member_id = @me', key) !== undefined;
  const want = reacted ?? !has;
  if (want && !has) {
    run(ctx.db, 'INSERT INTO post_reactions (post_id, kind, member_id, created_at) VALUES (@postId, @kind, @me, @now)', {
      ...key,
      now: ctx.clock.now()
    });
    // Answered once the author's notification is stored: a 2xx loses nothing in a crash.
    await ctx.bus.publish({
      type: 'post.reacted',
      postId,
      threadId: loaded.thread.id,
      categoryId: loaded.thread.categoryId,
      authorId: loaded.post.authorId,
      reactorId: ctx.actor.id,
      kind
    });
  } else if (!want && has) {
    run(ctx.db, 'DELETE FROM post_reactions WHERE post_id = @postId AND kind = @kind AND member_id = @me', key);
  }
  return { reacted: want, reactions: reactionCounts(ctx, postId) };
}

/** Who reacted, by kind. */
export function whoReacted(ctx: Ctx, postId: number) {
  authorize(ctx.actor, 'discussions.use');
  readablePost(ctx, postId);
  const rows = all<{ kind: Reaction; id: number; name: string }>(
    ctx.db,
    `SELECT r.kind, m.id, m.name FROM post_reactions r JOIN members m ON m.id = r.member_id
     WHERE r.post_id = @postId ORDER BY r.kind, r.created_at, m.id`,
    { postId }
  );
  const byKind = new Map<Reaction, { id: number; name: string }[]>();
  for (const r of rows) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), { id: r.id, name: r.name }]);
  return { reactions: [...byKind].map(([kind, members]) => ({ kind, count: members.length, members })) };
}

export function setBookmark(ctx: Ctx, postId: number, bookmarked: boolean) {
  authorize(ctx.actor, 'discussions.use');
  readablePost(ctx, postId);
  if (bookmarked) {
    run(
      ctx.db,
      `INSERT INTO bookmarks (member_id, post_id, created_at) VALUES (@me, @postId, @now)
       ON CONFLICT (member_id, post_id) DO NOTHING`,
      { me: ctx.actor.id, postId, now: ctx.clock.now() }
    );
  } else {
    run(ctx.db, 'DELETE FROM bookmarks WHERE member_id = @me AND post_id = @postId', { me: ctx.actor.id, postId });
  }
  return { bookmarked };
}

interface BookmarkRow {
  postId: number;
  bookmarkedAt: number;
  number: number;
  threadId: number;
  threadTitle: string;
  categoryId: number;
  categoryName: string;
  categoryColour: string;
  authorId: number;
  authorName: string;
  createdAt: number;
  hidden: number;
  text: string | null;
}

/**
 * The member's bookmarks, newest first (keyset pages). Only what they may still read: a bookmark
 * whose thread moved to a category they cannot read, or was deleted, is not listed.
 */
export function listBookmarks(ctx: Ctx, query: { after?: string; limit?: number }) {
  authorize(ctx.actor, 'discussions.use');
  const limit = query.limit ?? 25;
  let cursor: { afterAt: number; afterId: number } | null = null;
  if (query.after !== undefined) {
    const match = /^(\d{1,15})\.(\d{1,12})$/.exec(query.after);
    if (!match) throw new Invalid('The page link is not valid.', { after: 'Not a page cursor.' });
    cursor = { afterAt: Number(match[1]), afterId: Number(match[2]) };
  }
  const rows = all<BookmarkRow>(
    ctx.db,
    `SELECT b.post_id AS postId, b.created_at AS bookmarkedAt, p.number, t.id AS threadId, t.title AS threadTitle,
       c.id AS categoryId, c.name AS categoryName, c.colour AS categoryColour, p.author_id AS authorId, m.name AS authorName,
       p.created_at AS createdAt, (p.hidden_at IS NOT NULL) AS hidden,
       (SELECT s.body FROM post_search s WHERE s.rowid = p.id) AS text
     FROM bookmarks b JOIN posts p ON p.id = b.post_id JOIN threads t ON t.id = p.thread_id
       JOIN categories c ON c.id = t.category_id JOIN members m ON m.id = p.author_id
     WHERE b.member_id = @me AND p.deleted_at IS NULL AND t.deleted_at IS NULL
       AND t.category_id IN (${READABLE_CATEGORY_IDS_SQL})
       ${cursor ? 'AND (b.created_at < @afterAt OR (b.created_at = @afterAt AND b.post_id < @afterId))' : ''}
     ORDER BY b.created_at DESC, b.post_id DESC LIMIT @limit`,
    { me: ctx.actor.id, limit: limit + 1, ...readerParams(ctx.actor), ...(cursor ?? {}) }
  );
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    bookmarks: shown.map((r) => ({
      postId: r.postId,
      number: r.number,
      bookmarkedAt: r.bookmarkedAt,
      thread: { id: r.threadId, title: r.threadTitle },
      category: { id: r.categoryId, name: r.categoryName, colour: r.categoryColour },
      author: { id: r.authorId, name: r.authorName },
      createdAt: r.createdAt,
      hidden: r.hidden === 1,
      excerpt: r.text === null || r.hidden === 1 ? null : excerpt(r.text)
    })),
    next: rows.length > limit && last ? `${last.bookmarkedAt}.${last.postId}` : null
  };
}

/** The page reports how far the member has read (a GET never changes state). */
export function markRead(ctx: Ctx, threadId: number, number: number) {
  authorize(ctx.actor, 'discussions.use');
  const { thread } = readableThread(ctx, threadId);
  const upTo = Math.min(number, thread.lastPostNumber);
  markReadUpTo(ctx.db, ctx.actor.id, threadId, upTo, ctx.clock.now());
  // Reading the target marks its notifications read (replies, mentions, quotes… up to this post).
  markReadForThread(ctx, threadId, upTo);
  const read = get<{ n: number }>(
    ctx.db,
    'SELECT last_read_number AS n FROM thread_reads WHERE member_id = @me AND thread_id = @threadId',
    { me: ctx.actor.id, threadId }
  );
  return { lastReadNumber: read?.n ?? upTo };
}

export function setThreadLevel(ctx: Ctx, threadId: number, level: NotificationLevel) {
  authorize(ctx.actor, 'discussions.use');
  readableThread(ctx, threadId);
  run(
    ctx.db,
    `INSERT INTO thread_subscriptions (member_id, thread_id, level, updated_at) VALUES (@me, @threadId, @level, @now)
     ON CONFLICT (member_id, thread_id) DO UPDATE SET level = excluded.level, updated_at = excluded.updated_at`,
    { me: ctx.actor.id, threadId, level, now: ctx.clock.now() }
  );
  return { level };
}

export function setCategoryLevel(ctx: Ctx, categoryId: number, level: NotificationLevel) {
  authorize(ctx.actor, 'discussions.use');
  readableCategory(ctx, categoryId);
  run(
    ctx.db,
    `INSERT INTO category_subscriptions (member_id, category_id, level, updated_at) VALUES (@me, @categoryId, @level, @now)
     ON CONFLICT (member_id, category_id) DO UPDATE SET level = excluded.level, updated_at = excluded.updated_at`,
    { me: ctx.actor.id, categoryId, level, now: ctx.clock.now() }
  );
  return { level };
}
