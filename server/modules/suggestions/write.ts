import type { SuggestionStatus } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import { VOTING_CLOSED } from '../../policies/suggestions.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../../shared/errors.ts';
import { recordAudit } from '../audit/record.ts';
import { openAttachedThread, sharedAttachedCategory } from '../discussions/attached.ts';
import { all, get, run } from '../discussions/sql.ts';
import { refreshCategoryCounts } from '../discussions/store.ts';
import { unindexThread } from '../search/indexer.ts';
import { checkDailyQuota, cleanNote, validateSuggestion, type SuggestionInput } from './input.ts';
import { indexSuggestion, loadSuggestion, readableSuggestion, recount, stateOf, SUGGESTION_NOT_FOUND } from './store.ts';

const VOTING_CLOSED_MESSAGE = 'Voting is closed';

/**
 * A new suggestion: its comments thread in the shared attached category, its search row, and the
 * author's own vote (a member who suggests something wants it: the count starts at one, and they
 * can take it back like any vote) — all in one transaction.
 */
export function createSuggestion(ctx: Ctx, raw: SuggestionInput): { id: number; threadId: number } {
  authorize(ctx.actor, 'suggestions.use');
  const input = validateSuggestion(ctx, raw);
  checkDailyQuota(ctx);
  const authorId = ctx.actor.id;
  const now = ctx.clock.now();
  const created = ctx.db.transaction((tx) => {
    const categoryId = sharedAttachedCategory(tx, 'suggestions', now);
    const threadId = openAttachedThread(tx, { categoryId, title: input.title, authorId, now });
    const id = Number(
      run(
        tx,
        `INSERT INTO suggestions (author_id, title, description, description_html, description_text, status, vote_count,
           category_id, thread_id, created_at, updated_at)
         VALUES (@authorId, @title, @description, @html, @text, 'new', 1, @categoryId, @threadId, @now, @now)`,
        { authorId, ...input, categoryId, threadId, now }
      ).lastInsertRowid
    );
    run(tx, 'INSERT INTO suggestion_votes (suggestion_id, member_id, created_at) VALUES (@id, @authorId, @now)', {
      id,
      authorId,
      now
    });
    indexSuggestion(tx, id, input);
    return { id, threadId };
  });
  void ctx.bus.publish({ type: 'suggestion.created', suggestionId: created.id, authorId, title: input.title });
  return created;
}

export type SuggestionPatch = Partial<SuggestionInput>;

/** The author edits while the suggestion is still "new" (once admins act on it, its words are what they acted on). */
export function updateSuggestion(ctx: Ctx, id: number, patch: SuggestionPatch): { updated: true } {
  authorize(ctx.actor, 'suggestions.use');
  const row = readableSuggestion(ctx, id);
  if (!can(ctx.actor, 'suggestion.edit', stateOf(row))) {
    if (row.authorId !== ctx.actor.id) throw new Forbidden('Only the author can edit a suggestion.');
    throw new Conflict('A suggestion can be edited only while its status is New.');
  }
  const input = validateSuggestion(ctx, {
    title: patch.title ?? row.title,
    description: patch.description ?? row.description,
    confirmPrivacy: patch.confirmPrivacy
  });
  const now = ctx.clock.now();
  ctx.db.transaction((tx) => {
    const changed = run(
      tx,
      `UPDATE suggestions SET title = @title, description = @description, description_html = @html, description_text = @text,
         updated_at = @now WHERE id = @id AND status = 'new' AND deleted_at IS NULL`,
      { ...input, now, id }
    ).changes;
    if (changed === 0) throw new Conflict('A suggestion can be edited only while its status is New.');
    run(tx, 'UPDATE threads SET title = @title WHERE id = @threadId', { title: input.title, threadId: row.threadId });
    indexSuggestion(tx, id, input);
  });
  return { updated: true };
}

/** One vote per member, retractable; sending the same choice twice changes nothing. */
export function voteOn(ctx: Ctx, id: number, vote: boolean): { voted: boolean; voteCount: number } {
  authorize(ctx.actor, 'suggestions.use');
  const row = readableSuggestion(ctx, id);
  if (row.deletedAt !== null) throw new NotFound(SUGGESTION_NOT_FOUND);
  if (!can(ctx.actor, 'suggestion.vote', stateOf(row))) throw new Conflict(VOTING_CLOSED_MESSAGE);
  const memberId = ctx.actor.id;
  const now = ctx.clock.now();
  const voteCount = ctx.db.transaction((tx) => {
    // Closed between the read and now (an admin's status change): refused in the writer, too.
    const status = get<{ status: SuggestionStatus }>(tx, 'SELECT status FROM suggestions WHERE id = @id', { id })!.status;
    if (VOTING_CLOSED.includes(status)) throw new Conflict(VOTING_CLOSED_MESSAGE);
    if (vote) {
      run(tx, 'INSERT OR IGNORE INTO suggestion_votes (suggestion_id, member_id, created_at) VALUES (@id, @memberId, @now)', {
        id,
        memberId,
        now
      });
    } else {
      run(tx, 'DELETE FROM suggestion_votes WHERE suggestion_id = @id AND member_id = @memberId', { id, memberId });
    }
    return recount(tx, id);
  });
  return { voted: vote, voteCount };
}

export interface StatusChange {
  status: SuggestionStatus;
  note?: string | null;
  duplicateOfId?: number | null;
  confirmPrivacy?: boolean;
}

/** The original an "already exists" points to: live, not itself, and not leading back to it through a chain. */
function checkOriginal(ctx: Ctx, id: number, originalId: number | null | undefined): number {
  if (!originalId) {
    throw new Invalid('Choose the original suggestion this one duplicates.', {
      duplicateOfId: 'Enter the number of the original suggestion.'
    });
  }
  if (originalId === id) {
    throw new Invalid('A suggestion cannot be a duplicate of itself.', { duplicateOfId: 'Choose another suggestion.' });
  }
  const original = loadSuggestion(ctx.db, originalId);
  if (!original || original.deletedAt !== null) {
    throw new Invalid('The original suggestion was not found.', { duplicateOfId: 'No suggestion has this number.' });
  }
  const seen = new Set<number>([originalId]);
  for (let next = original.status === 'already_exists' ? original.duplicateOfId : null; next !== null;) {
    if (next === id || seen.has(next)) {
      throw new Invalid('That suggestion is already marked as a duplicate of this one: the two would point at each other.', {
        duplicateOfId: 'Choose a suggestion that is not a duplicate of this one.'
      });
    }
    seen.add(next);
    const step = loadSuggestion(ctx.db, next);
    next = step && step.status === 'already_exists' ? step.duplicateOfId : null;
  }
  return originalId;
}

const NOTE_REQUIRED: readonly SuggestionStatus[] = ['declined', 'already_exists'];

/**
 * An admin sets the status with a public note. A history row, the new status, and for "already
 * exists" the votes moved to the original (a member who voted for both keeps one vote there) with
 * both counts recounted — one transaction. The author and everyone who voted are told (not the
 * admin who did it); the reply waits until those notifications are stored.
 */
export async function setStatus(ctx: Ctx, id: number, change: StatusChange): Promise<{ status: SuggestionStatus }> {
  authorize(ctx.actor, 'suggestions.manage');
  const row = readableSuggestion(ctx, id);
  if (!can(ctx.actor, 'suggestion.setStatus', stateOf(row))) throw new Conflict('This suggestion was deleted.');
  const note = cleanNote(ctx, change.note, change.confirmPrivacy);
  if (NOTE_REQUIRED.includes(change.status) && note === null) {
    throw new Invalid('Explain the decision in a note: members read it.', { note: 'Write a note for members.' });
  }
  let duplicateOfId: number | null = null;
  if (change.status === 'already_exists') duplicateOfId = checkOriginal(ctx, id, change.duplicateOfId);
  else if (change.duplicateOfId) {
    throw new Invalid('Only “Already exists” links an original suggestion.', { duplicateOfId: 'Leave this empty.' });
  }
  if (change.status === row.status && note === null && duplicateOfId === row.duplicateOfId) {
    throw new Invalid('The suggestion already has this status: choose another, or add a note.', {
      status: 'Choose another status or add a note.'
    });
  }
  const adminId = ctx.actor.id;
  const now = ctx.clock.now();
  const audience = ctx.db.transaction((tx) => {
    const current = get<{ status: SuggestionStatus; deletedAt: number | null }>(
      tx,
      'SELECT status, deleted_at AS deletedAt FROM suggestions WHERE id = @id',
      { id }
    )!;
    if (current.deletedAt !== null) throw new Conflict('This suggestion was deleted.');
    const voters = all<{ id: number }>(tx, 'SELECT member_id AS id FROM suggestion_votes WHERE suggestion_id = @id', { id }).map(
      (r) => r.id
    );
    run(
      tx,
      `INSERT INTO suggestion_status_changes (suggestion_id, from_status, to_status, note, duplicate_of_id, changed_by, created_at)
       VALUES (@id, @from, @to, @note, @duplicateOfId, @adminId, @now)`,
      { id, from: current.status, to: change.status, note, duplicateOfId, adminId, now }
    );
    run(
      tx,
      `UPDATE suggestions SET status = @to, status_note = @note, status_changed_at = @now, status_changed_by = @adminId,
         duplicate_of_id = @duplicateOfId, updated_at = @now WHERE id = @id`,
      { id, to: change.status, note, now, adminId, duplicateOfId }
    );
    if (duplicateOfId !== null) {
      run(
        tx,
        `INSERT OR IGNORE INTO suggestion_votes (suggestion_id, member_id, created_at)
         SELECT @duplicateOfId, member_id, created_at FROM suggestion_votes WHERE suggestion_id = @id`,
        { duplicateOfId, id }
      );
      run(tx, 'DELETE FROM suggestion_votes WHERE suggestion_id = @id', { id });
      recount(tx, duplicateOfId);
      recount(tx, id);
    }
    recordAudit(tx, ctx, {
      action: 'suggestion.status_changed',
      targetType: 'suggestion',
      targetId: id,
      detail: { from: current.status, to: change.status, duplicateOfId }
    });
    return [...new Set([row.authorId, ...voters])].filter((m) => m !== adminId);
  });
  await ctx.bus.publish({
    type: 'suggestion.status_changed',
    suggestionId: id,
    title: row.title,
    from: row.status,
    to: change.status,
    note,
    duplicateOfId,
    changedBy: adminId,
    audienceIds: audience
  });
  return { status: change.status };
}

/** Soft delete (admins): gone from the board and search, its comments with it; admins can still open it. */
export function deleteSuggestion(ctx: Ctx, id: number): { deleted: true } {
  authorize(ctx.actor, 'suggestions.manage');
  const row = readableSuggestion(ctx, id);
  if (!can(ctx.actor, 'suggestion.delete', stateOf(row))) throw new Conflict('This suggestion was already deleted.');
  const now = ctx.clock.now();
  const by = ctx.actor.id;
  ctx.db.transaction((tx) => {
    run(tx, 'UPDATE suggestions SET deleted_at = @now, updated_at = @now WHERE id = @id', { now, id });
    run(tx, 'UPDATE threads SET deleted_at = @now, deleted_by = @by WHERE id = @threadId', { now, by, threadId: row.threadId });
    refreshCategoryCounts(tx, row.categoryId);
    unindexThread(tx, row.threadId);
    recordAudit(tx, ctx, {
      action: 'suggestion.deleted',
      targetType: 'suggestion',
      targetId: id,
      detail: { title: row.title, authorId: row.authorId }
    });
  });
  return { deleted: true };
}
