import type Database from 'better-sqlite3';
import type { Db } from '../../db/client.ts';
import { recordAudit } from '../modules/audit/record.ts';

/**
 * Soft-deleted discussions go for good RETENTION.deletedContentDays after deletion: the post rows
 * and everything that names them (earlier versions, reactions, bookmarks, flags, search entries,
 * notifications, quotes), and for a deleted thread also its read marks, subscriptions and drafts.
 * One audit row per purge says what went (ids only).
 *
 * Post ids are allocated as max(id) + 1 (discussions/store.ts): deleting the newest post would let
 * its id be handed out again and make audit rows ambiguous, so the newest post waits for a newer one.
 */

/**
 * Small per hourly run: the purge is synchronous (and FTS5 secure-delete makes each removed post
 * costly), so a large batch would hold every request — 10 s for 3,600 posts on the 1M-post seed.
 * At these sizes a run takes well under a second and the hourly job still purges ~480 threads and
 * ~4,800 posts a day.
 */
const THREADS_PER_RUN = 20;
const POSTS_PER_RUN = 200;

export interface DiscussionPurgeReport {
  threads: number;
  posts: number;
}

interface PostKey {
  id: number;
  threadId: number;
  number: number;
}

function purgePosts(sqlite: Database.Database, posts: PostKey[]): void {
  if (posts.length === 0) return;
  const ids = JSON.stringify(posts.map((p) => p.id));
  const inIds = 'IN (SELECT value FROM json_each(@ids))';
  sqlite.prepare(`DELETE FROM post_search WHERE rowid ${inIds}`).run({ ids });
  sqlite.prepare(`DELETE FROM post_revisions WHERE post_id ${inIds}`).run({ ids });
  sqlite.prepare(`DELETE FROM post_reactions WHERE post_id ${inIds}`).run({ ids });
  sqlite.prepare(`DELETE FROM bookmarks WHERE post_id ${inIds}`).run({ ids });
  sqlite.prepare(`DELETE FROM post_flags WHERE post_id ${inIds}`).run({ ids });
  // A reply that quoted a purged post keeps its own text; the quote link has nothing to point at.
  sqlite.prepare(`UPDATE posts SET quote_post_id = NULL WHERE quote_post_id ${inIds}`).run({ ids });
  const notification = sqlite.prepare('DELETE FROM notifications WHERE thread_id = ? AND post_number = ?');
  const post = sqlite.prepare('DELETE FROM posts WHERE thread_id = ? AND number = ?');
  for (const p of posts) {
    notification.run(p.threadId, p.number);
    post.run(p.threadId, p.number);
  }
}

/** One 'retention.purged' audit row, written like every other (the job acts as no member). */
export function audit(db: Db, now: number, targetType: string, targetId: number, detail: Record<string, unknown>) {
  recordAudit(
    db,
    { actor: null, ip: 'system', userAgent: 'retention-job', clock: { now: () => now } },
    { action: 'retention.purged', targetType, targetId, detail }
  );
}

/**
 * Every row of one thread and everything naming them, inside the caller's transaction. Returns the
 * purged post ids, or null (nothing done) while the thread holds the newest post.
 */
export function purgeThreadRows(sqlite: Database.Database, threadId: number): number[] | null {
  const posts = sqlite
    .prepare('SELECT id, thread_id AS threadId, number FROM posts WHERE thread_id = ?')
    .all(threadId) as PostKey[];
  const newest = (sqlite.prepare('SELECT max(id) AS id FROM posts').get() as { id: number | null }).id;
  if (newest !== null && posts.some((p) => p.id === newest)) return null;
  purgePosts(sqlite, posts);
  sqlite.prepare('DELETE FROM thread_reads WHERE thread_id = ?').run(threadId);
  sqlite.prepare('DELETE FROM thread_subscriptions WHERE thread_id = ?').run(threadId);
  sqlite.prepare("DELETE FROM drafts WHERE kind = 'thread' AND target_id = ?").run(threadId);
  sqlite.prepare('DELETE FROM notifications WHERE thread_id = ?').run(threadId);
  sqlite.prepare('DELETE FROM threads WHERE id = ?').run(threadId);
  return posts.map((p) => p.id);
}

export function tableExists(sqlite: Database.Database, name: string): boolean {
  return sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** Purges threads and posts soft-deleted before `before` (UTC ms). */
export function purgeDeletedDiscussions(db: Db, before: number, now: number): DiscussionPurgeReport {
  const sqlite = db.$client;
  const report: DiscussionPurgeReport = { threads: 0, posts: 0 };
  const newestPostId = (sqlite.prepare('SELECT max(id) AS id FROM posts').get() as { id: number | null }).id ?? 0;
  // A resource's comments thread goes with its resource (purgeResources.ts), never on its own.
  const notAResourceThread = tableExists(sqlite, 'resources')
    ? 'AND NOT EXISTS (SELECT 1 FROM resources r WHERE r.thread_id = t.id)'
    : '';
  const threads = sqlite
    .prepare(
      `SELECT t.id FROM threads t WHERE t.deleted_at IS NOT NULL AND t.deleted_at < ? ${notAResourceThread}
       ORDER BY t.deleted_at LIMIT ?`
    )
    .all(before, THREADS_PER_RUN) as { id: number }[];
  const purgeThread = sqlite.transaction((threadId: number) => {
    const purged = purgeThreadRows(sqlite, threadId);
    if (purged) audit(db, now, 'thread', threadId, { posts: purged });
    return purged;
  });
  for (const t of threads) {
    const purged = purgeThread(t.id);
    if (!purged) continue;
    report.posts += purged.length;
    report.threads++;
  }

  const posts = sqlite
    .prepare(
      `SELECT p.id, p.thread_id AS threadId, p.number FROM posts p
       WHERE p.deleted_at IS NOT NULL AND p.deleted_at < ? AND p.id <> ? ORDER BY p.deleted_at LIMIT ?`
    )
    .all(before, newestPostId, POSTS_PER_RUN) as PostKey[];
  sqlite.transaction(() => {
    purgePosts(sqlite, posts);
    for (const p of posts) audit(db, now, 'post', p.id, { threadId: p.threadId, number: p.number });
  })();
  report.posts += posts.length;
  return report;
}
