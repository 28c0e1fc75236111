import type { DraftKind } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { MINUTE } from '../../shared/clock.ts';
import { Invalid } from '../../shared/errors.ts';
import { readableCategory, readableThread } from './access.ts';
import { BODY_MAX, checkActionRate, TITLE_MAX } from './compose.ts';
import { get, run } from './sql.ts';
import { discardDraft } from './store.ts';

/**
 * The reply being written (kind 'thread') or the new thread being written in a category (kind
 * 'category'), saved as the member types (the composer debounces). A draft is only ever
 * reachable while its thread or category is readable.
 */

function checkTarget(ctx: Ctx, kind: DraftKind, targetId: number): void {
  if (kind === 'thread') readableThread(ctx, targetId);
  else readableCategory(ctx, targetId);
}

export function getDraft(ctx: Ctx, kind: DraftKind, targetId: number) {
  authorize(ctx.actor, 'discussions.use');
  checkTarget(ctx, kind, targetId);
  const draft = get<{ title: string | null; body: string; updatedAt: number }>(
    ctx.db,
    'SELECT title, body, updated_at AS updatedAt FROM drafts WHERE member_id = @me AND kind = @kind AND target_id = @targetId',
    { me: ctx.actor.id, kind, targetId }
  );
  return { draft: draft ?? null };
}

export function saveDraft(ctx: Ctx, kind: DraftKind, targetId: number, input: { body: string; title?: string | null }) {
  authorize(ctx.actor, 'discussions.use');
  checkTarget(ctx, kind, targetId);
  if (kind === 'thread' && input.title) {
    throw new Invalid('A reply has no title.', { title: 'A reply has no title.' });
  }
  if (input.body.length > BODY_MAX || (input.title?.length ?? 0) > TITLE_MAX) {
    throw new Invalid('This draft is too long to save.', { body: `At most ${BODY_MAX} characters.` });
  }
  checkActionRate(ctx, 'draft', 30, MINUTE);
  const now = ctx.clock.now();
  run(
    ctx.db,
    `INSERT INTO drafts (member_id, kind, target_id, title, body, updated_at) VALUES (@me, @kind, @targetId, @title, @body, @now)
     ON CONFLICT (member_id, kind, target_id) DO UPDATE SET title = excluded.title, body = excluded.body, updated_at = excluded.updated_at`,
    { me: ctx.actor.id, kind, targetId, title: input.title ?? null, body: input.body, now }
  );
  return { savedAt: now };
}

export function deleteDraft(ctx: Ctx, kind: DraftKind, targetId: number) {
  authorize(ctx.actor, 'discussions.use');
  checkTarget(ctx, kind, targetId);
  discardDraft(ctx.db, ctx.actor.id, kind, targetId);
  return { deleted: true };
}
