import type { DbOrTx, Tx } from '../../../db/client.ts';
import type { AttachedKind } from '../../../db/schema/index.ts';
import { get, run } from './sql.ts';
import { refreshCategoryCounts, watchUnlessChosen } from './store.ts';

/**
 * Comments on things that are not discussions (a resource, a spotlight, a suggestion) are a thread
 * in an "attached" category: never listed among categories, but read, posted to, mentioned in,
 * flagged, notified and searched through the discussion machinery unchanged. Things every member
 * may see share one public attached category per kind; the resource library also makes private
 * ones (server/modules/resources/audience.ts).
 */

const SHARED: Record<AttachedKind, { name: string; description: string }> = {
  resources: { name: 'Resource library comments', description: 'Comments on resources shared with all members.' },
  spotlights: { name: 'Spotlight comments', description: 'Comments on the weekly spotlights.' },
  suggestions: { name: 'Suggestion comments', description: 'Comments on suggestions for the community.' }
};

/** The public attached category of a kind, made on first use. */
export function sharedAttachedCategory(tx: Tx, kind: AttachedKind, now: number): number {
  const found = get<{ id: number }>(
    tx,
    'SELECT id FROM categories WHERE attached = 1 AND is_private = 0 AND attached_kind = @kind ORDER BY id LIMIT 1',
    { kind }
  );
  if (found) return found.id;
  return Number(
    run(
      tx,
      `INSERT INTO categories (name, description, position, is_private, attached, attached_kind, created_at, updated_at)
       VALUES (@name, @description, 0, 0, 1, @kind, @now, @now)`,
      { ...SHARED[kind], kind, now }
    ).lastInsertRowid
  );
}

/**
 * A comments thread (no opening post: the page it hangs on is the opening) in `categoryId`. The
 * author watches it, as a thread starter does, so they hear about comments.
 */
export function openAttachedThread(tx: Tx, input: { categoryId: number; title: string; authorId: number; now: number }): number {
  const threadId = Number(
    run(
      tx,
      `INSERT INTO threads (category_id, author_id, title, last_post_number, post_count, last_post_at, created_at, updated_at)
       VALUES (@categoryId, @authorId, @title, 0, 0, @now, @now, @now)`,
      input
    ).lastInsertRowid
  );
  refreshCategoryCounts(tx, input.categoryId);
  watchUnlessChosen(tx, input.authorId, threadId, input.now);
  return threadId;
}

const HOMES: Record<AttachedKind, { table: string; path: string }> = {
  resources: { table: 'resources', path: '/resources' },
  spotlights: { table: 'spotlights', path: '/spotlights' },
  suggestions: { table: 'suggestions', path: '/suggestions' }
};

/**
 * Where a comments thread lives for members ("/resources/12"): links to its posts (notifications,
 * search, quotes) open that page, never a bare thread page. Null for an ordinary thread.
 */
export function attachedHome(db: DbOrTx, kind: AttachedKind | null, threadId: number): string | null {
  if (kind === null) return null;
  const home = HOMES[kind];
  const row = get<{ id: number }>(db, `SELECT id FROM ${home.table} WHERE thread_id = @threadId LIMIT 1`, { threadId });
  return row ? `${home.path}/${row.id}` : null;
}
