import type { DbOrTx } from '../../../db/client.ts';
import type { DraftKind } from '../../../db/schema/index.ts';
import { all, get, run } from './sql.ts';

/**
 * The small writes that posting, deleting and moving share. All run inside the caller's
 * transaction, and keep the counters (thread and category) in step with the posts.
 */

export interface NewPost {
  threadId: number;
  number: number;
  authorId: number;
  body: string;
  html: string;
  quotePostId: number | null;
  privacyConfirmed: string[] | null;
  now: number;
}

/** posts is WITHOUT ROWID: ids are allocated here (max + 1 through the unique index), inside the write transaction. */
export function insertPost(db: DbOrTx, post: NewPost): number {
  const id = (get<{ id: number }>(db, 'SELECT coalesce(max(id), 0) + 1 AS id FROM posts')?.id ?? 1) as number;
  run(
    db,
    `INSERT INTO posts (thread_id, number, id, author_id, body, body_html, quote_post_id, privacy_confirmed, created_at)
     VALUES (@threadId, @number, @id, @authorId, @body, @html, @quotePostId, @privacyConfirmed, @now)`,
    {
      ...post,
      id,
      privacyConfirmed: post.privacyConfirmed && post.privacyConfirmed.length > 0 ? JSON.stringify(post.privacyConfirmed) : null
    }
  );
  return id;
}

export function addCategoryActivity(db: DbOrTx, categoryId: number, threads: number, posts: number, at: number | null): void {
  run(
    db,
    `UPDATE categories SET thread_count = thread_count + @threads, post_count = post_count + @posts,
       last_post_at = CASE WHEN @at IS NOT NULL AND (last_post_at IS NULL OR last_post_at < @at) THEN @at ELSE last_post_at END
     WHERE id = @categoryId`,
    { categoryId, threads, posts, at }
  );
}

/** After a delete or restore: the newest visible post decides the thread's activity time. */
export function refreshThreadActivity(db: DbOrTx, threadId: number): void {
  run(
    db,
    `UPDATE threads SET
       post_count = (SELECT count(*) FROM posts WHERE thread_id = @threadId AND deleted_at IS NULL),
       last_post_at = coalesce((SELECT max(created_at) FROM posts WHERE thread_id = @threadId AND deleted_at IS NULL), created_at),
       last_post_author_id = (SELECT author_id FROM posts WHERE thread_id = @threadId AND deleted_at IS NULL ORDER BY number DESC LIMIT 1)
     WHERE id = @threadId`,
    { threadId }
  );
}

/** Recount a category from its threads (after moves, thread deletes and restores). */
export function refreshCategoryCounts(db: DbOrTx, categoryId: number): void {
  run(
    db,
    `UPDATE categories SET
       thread_count = (SELECT count(*) FROM threads WHERE category_id = @categoryId AND deleted_at IS NULL),
       post_count = coalesce((SELECT sum(post_count) FROM threads WHERE category_id = @categoryId AND deleted_at IS NULL), 0),
       last_post_at = (SELECT max(last_post_at) FROM threads WHERE category_id = @categoryId AND deleted_at IS NULL)
     WHERE id = @categoryId`,
    { categoryId }
  );
}

/** Reading state never goes backwards. */
export function markReadUpTo(db: DbOrTx, memberId: number, threadId: number, number: number, now: number): void {
  run(
    db,
    `INSERT INTO thread_reads (member_id, thread_id, last_read_number, updated_at) VALUES (@memberId, @threadId, @number, @now)
     ON CONFLICT (member_id, thread_id) DO UPDATE SET last_read_number = max(last_read_number, excluded.last_read_number),
       updated_at = excluded.updated_at`,
    { memberId, threadId, number, now }
  );
}

/** Starting or replying watches a thread, unless the member already chose a level for it. */
export function watchUnlessChosen(db: DbOrTx, memberId: number, threadId: number, now: number): void {
  run(
    db,
    `INSERT INTO thread_subscriptions (member_id, thread_id, level, updated_at) VALUES (@memberId, @threadId, 'watching', @now)
     ON CONFLICT (member_id, thread_id) DO NOTHING`,
    { memberId, threadId, now }
  );
}

export function discardDraft(db: DbOrTx, memberId: number, kind: DraftKind, targetId: number): void {
  run(db, 'DELETE FROM drafts WHERE member_id = @memberId AND kind = @kind AND target_id = @targetId', {
    memberId,
    kind,
    targetId
  });
}

export function saveRevision(
  db: DbOrTx,
  revision: { postId: number; title: string | null; body: string; editedBy: number; now: number }
): void {
  run(
    db,
    `INSERT INTO post_revisions (post_id, title, body, edited_by, replaced_at) VALUES (@postId, @title, @body, @editedBy, @now)`,
    revision
  );
}

/** Close every open flag on a post with the moderator's outcome; returns who had flagged it. */
export function resolveFlags(db: DbOrTx, postId: number, outcome: string, moderatorId: number, now: number): number[] {
  const rows = all<{ flaggerId: number }>(
    db,
    `UPDATE post_flags SET resolved_at = @now, resolved_by = @moderatorId, outcome = @outcome
     WHERE post_id = @postId AND resolved_at IS NULL RETURNING flagger_id AS flaggerId`,
    { postId, outcome, moderatorId, now }
  );
  return [...new Set(rows.map((r) => r.flaggerId))];
}
