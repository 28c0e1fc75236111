import type { DbOrTx } from '../../../db/client.ts';
import { all, get, run } from '../discussions/sql.ts';

/**
 * Keeps resource_search (FTS5, rowid = resource id) in step, from inside the writer's transaction.
 * Metadata is indexed at once; the `content` column (text inside the current file) is filled by the
 * extraction job and kept when the metadata changes. Deleted resources stay indexed: every query
 * filters on visibility (moderators may search deleted ones).
 */

/** Text inside a file kept for search: enough for any protocol or deck, bounded for a 100 MB spreadsheet. */
export const CONTENT_MAX_CHARS = 1_000_000;

// Snippet markers (search/service.ts) must never come from members' text or files.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const clean = (s: string) => s.replace(CONTROL, ' ');

interface Indexed {
  title: string;
  description: string;
  tags: string;
  content: string;
}

function write(db: DbOrTx, resourceId: number, row: Indexed): void {
  run(db, 'DELETE FROM resource_search WHERE rowid = @resourceId', { resourceId });
  run(
    db,
    'INSERT INTO resource_search (rowid, title, description, tags, content) VALUES (@resourceId, @title, @description, @tags, @content)',
    { resourceId, ...row }
  );
}

function current(db: DbOrTx, resourceId: number): Indexed | undefined {
  return get<Indexed>(db, 'SELECT title, description, tags, content FROM resource_search WHERE rowid = @resourceId', {
    resourceId
  });
}

function tagsOf(db: DbOrTx, resourceId: number): string {
  return all<{ tag: string }>(db, 'SELECT tag FROM resource_tags WHERE resource_id = @resourceId ORDER BY tag', { resourceId })
    .map((r) => r.tag)
    .join(' ; ');
}

/** Title, description and tags changed (or the resource is new); the file's text is kept. */
export function indexResource(db: DbOrTx, resourceId: number, details: { title: string; descriptionText: string }): void {
  write(db, resourceId, {
    title: clean(details.title),
    description: clean(details.descriptionText),
    tags: tagsOf(db, resourceId),
    content: current(db, resourceId)?.content ?? ''
  });
}

export function reindexTags(db: DbOrTx, resourceId: number): void {
  const row = current(db, resourceId);
  if (row) write(db, resourceId, { ...row, tags: tagsOf(db, resourceId) });
}

/** The current file's text (empty while a new version waits for extraction). */
export function setContent(db: DbOrTx, resourceId: number, content: string): void {
  const row = current(db, resourceId);
  if (row) write(db, resourceId, { ...row, content: clean(content.slice(0, CONTENT_MAX_CHARS)) });
}
