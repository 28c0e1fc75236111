import type { Tx } from '../../../db/client.ts';
import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { readerParams } from '../../policies/discussions.ts';
import { READABLE_RESOURCE_SQL } from '../../policies/resources.ts';
import { Invalid } from '../../shared/errors.ts';
import { recordAudit } from '../audit/record.ts';
import { all, get, run } from '../discussions/sql.ts';
import { reindexTags } from './searchIndex.ts';

export const TAG_MAX_LENGTH = 40;
export const TAGS_PER_RESOURCE = 10;

/**
 * One spelling per tag: NFC, lower case, letters, digits, spaces and hyphens only (anything else is
 * dropped: "#T-Visa!" → "t-visa"), single spaces.
 */
export function normaliseTag(raw: string): string {
  return raw
    .normalize('NFC')
    .toLowerCase()
    .replace(/_/g, '-')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s+/g, ' ')
    .replace(/-{2,}/g, '-')
    .trim()
    .replace(/^-+|-+$/g, '');
}

export function normaliseTags(raw: readonly string[]): string[] {
  const tags = [...new Set(raw.flatMap((t) => t.split(',')).map(normaliseTag))].filter(Boolean);
  const long = tags.find((t) => t.length > TAG_MAX_LENGTH);
  if (long)
    throw new Invalid(`A tag can be at most ${TAG_MAX_LENGTH} characters.`, { tags: `“${long.slice(0, 50)}” is too long.` });
  if (tags.length > TAGS_PER_RESOURCE) {
    throw new Invalid(`A resource can have at most ${TAGS_PER_RESOURCE} tags.`, {
      tags: `Use at most ${TAGS_PER_RESOURCE} tags.`
    });
  }
  return tags;
}

export function writeTags(tx: Tx, resourceId: number, tags: readonly string[]): void {
  run(tx, 'DELETE FROM resource_tags WHERE resource_id = @resourceId', { resourceId });
  for (const tag of tags) run(tx, 'INSERT INTO resource_tags (resource_id, tag) VALUES (@resourceId, @tag)', { resourceId, tag });
}

/** The end of the range of strings that start with `prefix` (for an index range scan). */
const prefixEnd = (prefix: string) => `${prefix}\u{10ffff}`;

/** Autocomplete: tags starting with q, counting only resources the reader may see; most used first. */
export function tagSuggestions(ctx: Ctx, query: { q?: string; limit?: number }) {
  authorize(ctx.actor, 'resources.use');
  const q = normaliseTag(query.q ?? '');
  const rows = all<{ name: string; count: number }>(
    ctx.db,
    `SELECT rt.tag AS name, count(*) AS count FROM resource_tags rt JOIN resources r ON r.id = rt.resource_id
     WHERE rt.tag >= @q AND rt.tag < @qEnd AND r.deleted_at IS NULL AND ${READABLE_RESOURCE_SQL}
     GROUP BY rt.tag ORDER BY count DESC, rt.tag LIMIT @limit`,
    { q, qEnd: prefixEnd(q), limit: query.limit ?? 10, ...readerParams(ctx.actor) }
  );
  return { tags: rows };
}

/** Admin: every tag with its count over all resources (deleted ones included: a merge moves them too). */
export function adminTags(ctx: Ctx, query: { q?: string; limit?: number }) {
  authorize(ctx.actor, 'resourceTags.manage');
  const q = normaliseTag(query.q ?? '');
  const rows = all<{ name: string; count: number }>(
    ctx.db,
    `SELECT tag AS name, count(*) AS count FROM resource_tags WHERE tag >= @q AND tag < @qEnd
     GROUP BY tag ORDER BY count DESC, tag LIMIT @limit`,
    { q, qEnd: prefixEnd(q), limit: query.limit ?? 50 }
  );
  return { tags: rows };
}

/** Admin: tag `from` becomes `into` on every resource and every watch; the search index follows. */
export function mergeTags(ctx: Ctx, input: { from: string; into: string }): { merged: number } {
  authorize(ctx.actor, 'resourceTags.manage');
  const from = normaliseTag(input.from);
  const into = normaliseTag(input.into);
  if (!from || !into) throw new Invalid('Name both tags.', { [from ? 'into' : 'from']: 'Enter a tag.' });
  if (into.length > TAG_MAX_LENGTH)
    throw new Invalid(`A tag can be at most ${TAG_MAX_LENGTH} characters.`, { into: 'Too long.' });
  if (from === into) throw new Invalid('Those are the same tag.', { into: 'Choose a different tag.' });
  if (!get(ctx.db, 'SELECT 1 FROM resource_tags WHERE tag = @from LIMIT 1', { from })) {
    throw new Invalid(`No resource has the tag “${from}”.`, { from: 'No resource has this tag.' });
  }
  const now = ctx.clock.now();
  return ctx.db.transaction((tx) => {
    const ids = all<{ id: number }>(tx, 'SELECT resource_id AS id FROM resource_tags WHERE tag = @from', { from }).map(
      (r) => r.id
    );
    run(
      tx,
      'INSERT OR IGNORE INTO resource_tags (resource_id, tag) SELECT resource_id, @into FROM resource_tags WHERE tag = @from',
      {
        from,
        into
      }
    );
    run(tx, 'DELETE FROM resource_tags WHERE tag = @from', { from });
    run(
      tx,
      `INSERT OR IGNORE INTO resource_watches (member_id, kind, value, created_at)
       SELECT member_id, 'tag', @into, @now FROM resource_watches WHERE kind = 'tag' AND value = @from`,
      { from, into, now }
    );
    run(tx, `DELETE FROM resource_watches WHERE kind = 'tag' AND value = @from`, { from });
    for (const id of ids) reindexTags(tx, id);
    recordAudit(tx, ctx, {
      action: 'resource_tags.merged',
      targetType: 'resource_tag',
      targetId: into,
      detail: { from, into, resources: ids.length }
    });
    return { merged: ids.length };
  });
}
