import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { memberReadsCategorySql } from '../../policies/discussions.ts';
import { Invalid } from '../../shared/errors.ts';
import { readableCategory, readableThread } from './access.ts';
import { all } from './sql.ts';

/**
 * Autocomplete for @mentions: active members who may read the thread (or, for a new thread, the
 * category), by the start of their name or of any word in it. Each comes with the exact text the
 * composer inserts: @[Name](member:ID).
 */
export function mentionCandidates(ctx: Ctx, query: { q: string; threadId?: number; categoryId?: number }) {
  authorize(ctx.actor, 'discussions.use');
  if ((query.threadId === undefined) === (query.categoryId === undefined)) {
    throw new Invalid('Name either a thread or a category.', { threadId: 'Give threadId or categoryId.' });
  }
  const categoryId =
    query.threadId !== undefined
      ? readableThread(ctx, query.threadId).thread.categoryId
      : readableCategory(ctx, query.categoryId!).id;
  const q = query.q.trim().replace(/^@/, '');
  if (q.length === 0) return { members: [] };
  const pattern = q.replace(/[\\%_]/g, (c) => `\\${c}`);
  const rows = all<{ id: number; name: string; agency: string }>(
    ctx.db,
    `SELECT m.id, m.name, m.agency FROM members m
     WHERE m.id <> @me AND (m.name LIKE @prefix ESCAPE '\\' OR m.name LIKE @word ESCAPE '\\')
       AND ${memberReadsCategorySql('m')}
     ORDER BY m.name LIMIT 10`,
    { me: ctx.actor.id, prefix: `${pattern}%`, word: `% ${pattern}%`, categoryId }
  );
  return {
    members: rows.map((m) => ({
      id: m.id,
      name: m.name,
      agency: m.agency,
      insert: `@[${m.name.replace(/[[\]\n]/g, '').slice(0, 100)}](member:${m.id})`
    }))
  };
}
