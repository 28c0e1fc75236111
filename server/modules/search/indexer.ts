import type { DbOrTx } from '../../../db/client.ts';
import { get, run } from '../discussions/sql.ts';

/**
 * Keeps the FTS5 table post_search in step with the posts, from inside the writer's transaction.
 * The index holds visible posts only: a deleted, hidden or purged post, or any post of a deleted
 * thread, has no row, so search cannot return it even if a filter were forgotten. The thread's
 * title sits on its opening post's row. Categories are not in the index (search joins threads),
 * so moving a thread needs no re-indexing.
 */

// The snippet markers (search/service.ts) must never come from members' text.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const clean = (s: string) => s.replace(CONTROL, ' ');

export function indexPost(db: DbOrTx, postId: number, title: string, text: string): void {
  run(db, 'DELETE FROM post_search WHERE rowid = @postId', { postId });
  run(db, 'INSERT INTO post_search (rowid, title, body) VALUES (@postId, @title, @text)', {
    postId,
    title: clean(title),
    text: clean(text)
  });
}

export function unindexPost(db: DbOrTx, postId: number): void {
  run(db, 'DELETE FROM post_search WHERE rowid = @postId', { postId });
}

/** Every post of a thread (the thread was deleted). */
export function unindexThread(db: DbOrTx, threadId: number): void {
  run(db, 'DELETE FROM post_search WHERE rowid IN (SELECT id FROM posts WHERE thread_id = @threadId)', { threadId });
}

/** A post's indexed plain text (bookmark excerpts), or null when it is not in the index. */
export function indexedText(db: DbOrTx, postId: number): string | null {
  return get<{ body: string }>(db, 'SELECT body FROM post_search WHERE rowid = @postId', { postId })?.body ?? null;
}
