import type { Tx } from '../../../db/client.ts';
import type { PinScope } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { endOfDayUtc } from '../../shared/dates.ts';
import { Conflict, Invalid, NotFound } from '../../shared/errors.ts';
import { recordAudit, type AuditAction } from '../audit/record.ts';
import { indexPost, unindexThread } from '../search/indexer.ts';
import { loadCategory, readableThread, type LoadedThread } from './access.ts';
import { renderStored } from './compose.ts';
import { all, run } from './sql.ts';
import { refreshCategoryCounts } from './store.ts';

/** Moderators' thread actions: each is audited and published (live pushes, notifications). */

type ThreadAction = 'pinned' | 'unpinned' | 'locked' | 'unlocked' | 'closed' | 'reopened' | 'moved' | 'deleted' | 'restored';

function moderatedThread(ctx: Ctx, threadId: number): LoadedThread {
  authorize(ctx.actor, 'discussions.moderate');
  return readableThread(ctx, threadId);
}

function finish(
  ctx: Ctx,
  loaded: LoadedThread,
  action: ThreadAction,
  write: (tx: Tx) => void,
  detail: Record<string, unknown> = {},
  categoryId = loaded.thread.categoryId
): void {
  ctx.db.transaction((tx) => {
    write(tx);
    recordAudit(tx, ctx, {
      action: `thread.${action}` as AuditAction,
      targetType: 'thread',
      targetId: loaded.thread.id,
      detail: { title: loaded.thread.title, ...detail }
    });
  });
  ctx.bus.publish({
    type: 'thread.moderated',
    threadId: loaded.thread.id,
    categoryId,
    action,
    moderatorId: ctx.actor!.id,
    fromCategoryId: action === 'moved' ? loaded.thread.categoryId : null
  });
}

/** Pin in its category or globally (top of "latest" too), optionally until the end of a day; scope null unpins. */
export function pinThread(ctx: Ctx, threadId: number, input: { scope: PinScope | null; until?: string | null }): void {
  const loaded = moderatedThread(ctx, threadId);
  const now = ctx.clock.now();
  if (input.scope === null) {
    if (loaded.thread.pinScope === null) throw new Conflict('This thread is not pinned.');
    finish(ctx, loaded, 'unpinned', (tx) =>
      run(tx, 'UPDATE threads SET pin_scope = NULL, pinned_until = NULL, updated_at = @now WHERE id = @id', { now, id: threadId })
    );
    return;
  }
  const until = input.until ? endOfDayUtc(input.until, 'until') : null;
  if (until !== null && until <= now) throw new Invalid('Pin until a date in the future.', { until: 'Choose a future date.' });
  finish(
    ctx,
    loaded,
    'pinned',
    (tx) =>
      run(tx, 'UPDATE threads SET pin_scope = @scope, pinned_until = @until, updated_at = @now WHERE id = @id', {
        scope: input.scope,
        until,
        now,
        id: threadId
      }),
    { scope: input.scope, until }
  );
}

export function setLocked(ctx: Ctx, threadId: number, locked: boolean): void {
  const loaded = moderatedThread(ctx, threadId);
  if ((loaded.thread.lockedAt !== null) === locked)
    throw new Conflict(`This thread is already ${locked ? 'locked' : 'unlocked'}.`);
  const now = ctx.clock.now();
  finish(ctx, loaded, locked ? 'locked' : 'unlocked', (tx) =>
    run(tx, 'UPDATE threads SET locked_at = @at, updated_at = @now WHERE id = @id', {
      at: locked ? now : null,
      now,
      id: threadId
    })
  );
}

export function setClosed(ctx: Ctx, threadId: number, closed: boolean): void {
  const loaded = moderatedThread(ctx, threadId);
  if ((loaded.thread.closedAt !== null) === closed) throw new Conflict(`This thread is already ${closed ? 'closed' : 'open'}.`);
  const now = ctx.clock.now();
  finish(ctx, loaded, closed ? 'closed' : 'reopened', (tx) =>
    run(tx, 'UPDATE threads SET closed_at = @at, updated_at = @now WHERE id = @id', {
      at: closed ? now : null,
      now,
      id: threadId
    })
  );
}

/** Move to another category. Search joins the thread for its category, so the index needs no change. */
export function moveThread(ctx: Ctx, threadId: number, categoryId: number): void {
  const loaded = moderatedThread(ctx, threadId);
  const from = loaded.thread.categoryId;
  if (from === categoryId) throw new Conflict('The thread is already in that category.');
  const target = loadCategory(ctx.db, categoryId);
  if (!target || target.attached) throw new NotFound('That category was not found.');
  if (loadCategory(ctx.db, from)?.attached) throw new Conflict("A resource's comments stay with the resource.");
  const now = ctx.clock.now();
  finish(
    ctx,
    loaded,
    'moved',
    (tx) => {
      run(tx, 'UPDATE threads SET category_id = @categoryId, updated_at = @now WHERE id = @id', {
        categoryId,
        now,
        id: threadId
      });
      refreshCategoryCounts(tx, from);
      refreshCategoryCounts(tx, categoryId);
    },
    { fromCategoryId: from, toCategoryId: categoryId },
    categoryId
  );
}

/** Soft delete, inside the caller's transaction: gone from lists, counts and search; moderators can still open and restore it. */
export function deleteThreadWrites(tx: Tx, ctx: Ctx, loaded: LoadedThread): void {
  const now = ctx.clock.now();
  run(tx, 'UPDATE threads SET deleted_at = @now, deleted_by = @by, updated_at = @now WHERE id = @id', {
    now,
    by: ctx.actor!.id,
    id: loaded.thread.id
  });
  refreshCategoryCounts(tx, loaded.thread.categoryId);
  unindexThread(tx, loaded.thread.id);
}

export function deleteThread(ctx: Ctx, threadId: number): void {
  const loaded = moderatedThread(ctx, threadId);
  if (loaded.thread.deletedAt !== null) throw new Conflict('This thread was already deleted.');
  finish(ctx, loaded, 'deleted', (tx) => deleteThreadWrites(tx, ctx, loaded));
}

export function restoreThread(ctx: Ctx, threadId: number): void {
  const loaded = moderatedThread(ctx, threadId);
  if (loaded.thread.deletedAt === null) throw new Conflict('This thread is not deleted.');
  const visible = all<{ id: number; number: number; body: string }>(
    ctx.db,
    'SELECT id, number, body FROM posts WHERE thread_id = @threadId AND deleted_at IS NULL AND hidden_at IS NULL',
    { threadId }
  ).map((p) => ({ ...p, text: renderStored(ctx.db, p.body).text }));
  const now = ctx.clock.now();
  finish(ctx, loaded, 'restored', (tx) => {
    run(tx, 'UPDATE threads SET deleted_at = NULL, deleted_by = NULL, updated_at = @now WHERE id = @id', { now, id: threadId });
    refreshCategoryCounts(tx, loaded.thread.categoryId);
    for (const p of visible) indexPost(tx, p.id, p.number === 1 ? loaded.thread.title : '', p.text);
  });
}
