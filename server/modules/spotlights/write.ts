import type { Tx } from '../../../db/client.ts';
import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import { Conflict, Forbidden, Invalid } from '../../shared/errors.ts';
import { get, run } from '../discussions/sql.ts';
import { changesWhatIsApproved, validateSpotlight, type SpotlightFields, type SpotlightInput } from './input.ts';
import { presentSpotlight } from './present.ts';
import { auditSpotlight, loadSpotlight, needsConsent, readableSpotlight, stateOf, type SpotlightRow } from './store.ts';
import { mondayOf, publishAtOf, slotEndOf } from './week.ts';

/** Editors' writes: create, edit, withdraw, schedule. Each is audited; consent requests go out after commit. */

const PUBLISHED = 'This spotlight is already published: it can no longer be changed. Withdraw it instead.';
const WITHDRAWN = 'This spotlight was withdrawn.';

function refuse(ctx: Ctx, action: 'spotlight.edit' | 'spotlight.schedule' | 'spotlight.delete', row: SpotlightRow): void {
  if (can(ctx.actor, action, stateOf(row))) return;
  if (row.deletedAt !== null) throw new Conflict(WITHDRAWN);
  if (row.publishedAt !== null) throw new Conflict(PUBLISHED);
  throw new Forbidden('Only editors and administrators can change spotlights.');
}

/** Ask the featured side (again): the request is logged, and the notice is stored before the reply. */
function recordRequest(tx: Tx, spotlightId: number, revision: number, requestedBy: number, now: number): void {
  run(
    tx,
    `INSERT INTO spotlight_consents (spotlight_id, revision, decision, comment, member_id, created_at)
     VALUES (@spotlightId, @revision, 'requested', NULL, @requestedBy, @now)`,
    { spotlightId, revision, requestedBy, now }
  );
}

function occupantOf(tx: Tx, week: string, exceptId: number): { id: number; title: string } | undefined {
  return get<{ id: number; title: string }>(
    tx,
    'SELECT id, title FROM spotlights WHERE week = @week AND deleted_at IS NULL AND id <> @exceptId',
    { week, exceptId }
  );
}

const isUniqueViolation = (err: unknown) =>
  err instanceof Error && (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';

/** The slot for `date` (any day of its week), refused when already over. */
function slotFor(ctx: Ctx, date: string): { week: string; publishAt: number } {
  const week = mondayOf(date);
  if (ctx.clock.now() >= slotEndOf(week, ctx.config.spotlight)) {
    throw new Invalid(`The week of ${week} is over: choose this week or a later one.`, {
      week: 'Choose this week or a later one.'
    });
  }
  return { week, publishAt: publishAtOf(week, ctx.config.spotlight) };
}

function takeSlot(tx: Tx, spotlightId: number, slot: { week: string; publishAt: number }, now: number): void {
  const occupant = occupantOf(tx, slot.week, spotlightId);
  if (occupant)
    throw new Conflict(`The week of ${slot.week} already has “${occupant.title}”. Choose another week or unschedule it first.`);
  const moved = run(
    tx,
    `UPDATE spotlights SET week = @week, publish_at = @publishAt, updated_at = @now
     WHERE id = @id AND published_at IS NULL AND deleted_at IS NULL`,
    { ...slot, now, id: spotlightId }
  );
  if (moved.changes === 0) throw new Conflict(PUBLISHED);
}

/** A write that lost a race for the week's unique index says so, like the check before it. */
function inTransaction<T>(ctx: Ctx, week: string | null, work: (tx: Tx) => T): T {
  try {
    return ctx.db.transaction(work);
  } catch (err) {
    if (isUniqueViolation(err))
      throw new Conflict(`The week of ${week ?? 'that date'} already has a spotlight. Choose another week.`);
    throw err;
  }
}

export async function createSpotlight(ctx: Ctx, raw: SpotlightInput & { week?: string }) {
  authorize(ctx.actor, 'spotlights.write');
  const fields = validateSpotlight(ctx, raw, null);
  const slot = raw.week !== undefined ? slotFor(ctx, raw.week) : null;
  const now = ctx.clock.now();
  const authorId = ctx.actor.id;
  const consent = needsConsent(fields.kind);
  const id = inTransaction(ctx, slot?.week ?? null, (tx) => {
    const created = Number(
      run(
        tx,
        `INSERT INTO spotlights (kind, title, summary, body, body_html, body_text, featured_member_id, featured_task_force_id,
           featured_resource_id, partner_name, partner_url, revision, consent_state, consent_revision, author_id, created_at, updated_at)
         VALUES (@kind, @title, @summary, @body, @bodyHtml, @bodyText, @featuredMemberId, @featuredTaskForceId,
           @featuredResourceId, @partnerName, @partnerUrl, 1, @consentState, @consentRevision, @authorId, @now, @now)`,
        {
          ...fields,
          consentState: consent ? 'pending' : 'not_needed',
          consentRevision: consent ? 1 : null,
          authorId,
          now
        }
      ).lastInsertRowid
    );
    if (slot) takeSlot(tx, created, slot, now);
    if (consent) recordRequest(tx, created, 1, authorId, now);
    auditSpotlight(tx, ctx, 'spotlight.created', created, { kind: fields.kind, title: fields.title, week: slot?.week ?? null });
    return created;
  });
  if (consent)
    await ctx.bus.publish({ type: 'spotlight.consent_requested', spotlightId: id, revision: 1, requestedBy: authorId });
  return presentSpotlight(ctx, loadSpotlight(ctx.db, id)!);
}

export async function updateSpotlight(ctx: Ctx, id: number, raw: SpotlightInput) {
  authorize(ctx.actor, 'spotlights.write');
  const row = readableSpotlight(ctx, id);
  refuse(ctx, 'spotlight.edit', row);
  const fields: SpotlightFields = validateSpotlight(ctx, raw, row);
  const askAgain = changesWhatIsApproved(row, fields);
  const changed =
    askAgain ||
    row.featuredResourceId !== fields.featuredResourceId ||
    row.partnerName !== fields.partnerName ||
    row.partnerUrl !== fields.partnerUrl;
  if (!changed) return presentSpotlight(ctx, row);
  const now = ctx.clock.now();
  const revision = askAgain ? row.revision + 1 : row.revision;
  const consent = needsConsent(fields.kind);
  const consentState = !askAgain ? row.consentState : consent ? 'pending' : 'not_needed';
  const consentRevision = !askAgain ? row.consentRevision : consent ? revision : null;
  const actorId = ctx.actor.id;
  ctx.db.transaction((tx) => {
    // Only over the version that was read: a publish or another edit in between wins, and this one says so.
    const result = run(
      tx,
      `UPDATE spotlights SET kind = @kind, title = @title, summary = @summary, body = @body, body_html = @bodyHtml,
         body_text = @bodyText, featured_member_id = @featuredMemberId, featured_task_force_id = @featuredTaskForceId,
         featured_resource_id = @featuredResourceId, partner_name = @partnerName, partner_url = @partnerUrl,
         revision = @revision, consent_state = @consentState, consent_revision = @consentRevision, updated_at = @now
       WHERE id = @id AND revision = @was AND published_at IS NULL AND deleted_at IS NULL`,
      { ...fields, revision, consentState, consentRevision, now, id, was: row.revision }
    );
    if (result.changes === 0) throw new Conflict('This spotlight changed while you were editing it: reload it and try again.');
    if (askAgain && consent) recordRequest(tx, id, revision, actorId, now);
    auditSpotlight(tx, ctx, 'spotlight.updated', id, { revision, kind: fields.kind, askedAgain: askAgain && consent });
  });
  if (askAgain && consent)
    await ctx.bus.publish({ type: 'spotlight.consent_requested', spotlightId: id, revision, requestedBy: actorId });
  return presentSpotlight(ctx, loadSpotlight(ctx.db, id)!);
}

/** Withdraw: out of the archive and the home page, its week free again; comments closed with it. */
export function deleteSpotlight(ctx: Ctx, id: number): { ok: true } {
  authorize(ctx.actor, 'spotlights.write');
  const row = readableSpotlight(ctx, id);
  refuse(ctx, 'spotlight.delete', row);
  const now = ctx.clock.now();
  ctx.db.transaction((tx) => {
    run(tx, 'UPDATE spotlights SET deleted_at = @now, updated_at = @now WHERE id = @id AND deleted_at IS NULL', { now, id });
    run(tx, 'DELETE FROM spotlight_search WHERE rowid = @id', { id });
    if (row.threadId !== null) {
      run(tx, 'UPDATE threads SET deleted_at = @now, deleted_by = @by WHERE id = @threadId AND deleted_at IS NULL', {
        now,
        by: ctx.actor!.id,
        threadId: row.threadId
      });
    }
    auditSpotlight(tx, ctx, 'spotlight.deleted', id, { title: row.title, week: row.week, published: row.publishedAt !== null });
  });
  return { ok: true };
}

export function scheduleSpotlight(ctx: Ctx, id: number, date: string) {
  authorize(ctx.actor, 'spotlights.write');
  const row = readableSpotlight(ctx, id);
  refuse(ctx, 'spotlight.schedule', row);
  const slot = slotFor(ctx, date);
  const now = ctx.clock.now();
  if (row.week !== slot.week) {
    inTransaction(ctx, slot.week, (tx) => {
      takeSlot(tx, id, slot, now);
      auditSpotlight(tx, ctx, 'spotlight.scheduled', id, { week: slot.week, from: row.week });
    });
  }
  return presentSpotlight(ctx, loadSpotlight(ctx.db, id)!);
}

export function unscheduleSpotlight(ctx: Ctx, id: number) {
  authorize(ctx.actor, 'spotlights.write');
  const row = readableSpotlight(ctx, id);
  refuse(ctx, 'spotlight.schedule', row);
  if (row.week !== null) {
    const now = ctx.clock.now();
    ctx.db.transaction((tx) => {
      run(tx, 'UPDATE spotlights SET week = NULL, publish_at = NULL, updated_at = @now WHERE id = @id AND published_at IS NULL', {
        now,
        id
      });
      auditSpotlight(tx, ctx, 'spotlight.unscheduled', id, { week: row.week });
    });
  }
  return presentSpotlight(ctx, loadSpotlight(ctx.db, id)!);
}
