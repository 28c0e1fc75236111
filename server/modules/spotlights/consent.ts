import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import { DECIDES_SQL, deciderParams } from '../../policies/spotlights.ts';
import { Conflict, Forbidden, Invalid } from '../../shared/errors.ts';
import { all, run } from '../discussions/sql.ts';
import { COMMENT_MAX, KIND_LABELS } from './input.ts';
import { presentSpotlight } from './present.ts';
import { auditSpotlight, deciders, loadSpotlight, readableSpotlight, stateOf } from './store.ts';
import { publishDue } from './publish.ts';

/**
 * The featured side's answer, on one exact revision of the text. Nothing here can be done by an
 * editor or admin for them: the policy names the deciders, and the revision sent must be the one
 * they were shown (an edit in between asks again).
 */

export type Decision = 'approve' | 'changes' | 'decline';
const STATE_OF = { approve: 'approved', changes: 'changes_requested', decline: 'declined' } as const;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export async function decideConsent(
  ctx: Ctx,
  id: number,
  input: { revision: number; decision: Decision; comment?: string | null }
) {
  authorize(ctx.actor, 'spotlights.use');
  const row = readableSpotlight(ctx, id);
  if (!can(ctx.actor, 'spotlight.decide', stateOf(row))) {
    if (row.deletedAt !== null) throw new Conflict('This spotlight was withdrawn.');
    if (row.publishedAt !== null) throw new Conflict('This spotlight is already published.');
    const names = deciders(ctx.db, row).map((d) => d.name);
    throw new Forbidden(
      row.kind === 'member' || row.kind === 'task_force'
        ? `Only ${names.length ? names.join(' or ') : 'the member or coordinator it features'} can approve this spotlight.`
        : 'This spotlight does not need anyone’s approval.'
    );
  }
  const comment = (input.comment ?? '').replace(CONTROL, ' ').trim();
  if (input.decision !== 'approve' && comment === '') {
    throw new Invalid('Say what should change, or why you decline.', { comment: 'Write a short comment for the editors.' });
  }
  if (comment.length > COMMENT_MAX)
    throw new Invalid(`Use at most ${COMMENT_MAX} characters.`, { comment: `At most ${COMMENT_MAX} characters.` });
  const stale = () => new Conflict('This spotlight was changed since you opened it: read the new text and decide again.');
  if (input.revision !== row.revision) throw stale();
  const state = STATE_OF[input.decision];
  const now = ctx.clock.now();
  const memberId = ctx.actor.id;
  ctx.db.transaction((tx) => {
    const result = run(
      tx,
      `UPDATE spotlights SET consent_state = @state, consent_revision = @revision, updated_at = @now
       WHERE id = @id AND revision = @revision AND published_at IS NULL AND deleted_at IS NULL`,
      { state, revision: input.revision, now, id }
    );
    if (result.changes === 0) throw stale();
    run(
      tx,
      `INSERT INTO spotlight_consents (spotlight_id, revision, decision, comment, member_id, created_at)
       VALUES (@id, @revision, @state, @comment, @memberId, @now)`,
      { id, revision: input.revision, state, comment: comment || null, memberId, now }
    );
    auditSpotlight(tx, ctx, 'spotlight.consent_decided', id, { revision: input.revision, decision: state });
  });
  await ctx.bus.publish({
    type: 'spotlight.consent_decided',
    spotlightId: id,
    revision: input.revision,
    decision: state,
    deciderId: memberId,
    comment: comment || null
  });
  // Approved after its publish moment (within its week): it goes out now rather than at the job's next turn.
  if (state === 'approved') await publishDue(ctx);
  return presentSpotlight(ctx, loadSpotlight(ctx.db, id)!);
}

interface RequestRow {
  id: number;
  title: string;
  kind: keyof typeof KIND_LABELS;
  week: string | null;
  publishAt: number | null;
  revision: number;
  requestedAt: number | null;
}

/** Spotlights waiting on my answer (pending, for the text as it is now), soonest first. */
export function consentRequests(ctx: Ctx) {
  authorize(ctx.actor, 'spotlights.use');
  const rows = all<RequestRow>(
    ctx.db,
    `SELECT s.id, s.title, s.kind, s.week, s.publish_at AS publishAt, s.revision,
       (SELECT max(c.created_at) FROM spotlight_consents c WHERE c.spotlight_id = s.id AND c.revision = s.revision
         AND c.decision = 'requested') AS requestedAt
     FROM spotlights s
     WHERE s.published_at IS NULL AND s.deleted_at IS NULL AND s.consent_state = 'pending' AND ${DECIDES_SQL}
     ORDER BY s.publish_at IS NULL, s.publish_at, s.id LIMIT 100`,
    deciderParams(ctx.actor)
  );
  return { requests: rows.map((r) => ({ ...r, kindLabel: KIND_LABELS[r.kind] })) };
}
