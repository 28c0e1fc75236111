import type { DbOrTx } from '../../../db/client.ts';
import type { SuggestionStatus } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { can } from '../../policies/index.ts';
import type { SuggestionState } from '../../policies/suggestions.ts';
import { NotFound } from '../../shared/errors.ts';
import { get, run } from '../discussions/sql.ts';

/** The same words whether it does not exist or the member may not see it: existence is not revealed. */
export const SUGGESTION_NOT_FOUND = 'That suggestion was not found.';

export interface SuggestionRow {
  id: number;
  authorId: number;
  title: string;
  description: string;
  descriptionHtml: string;
  status: SuggestionStatus;
  statusNote: string | null;
  statusChangedAt: number | null;
  duplicateOfId: number | null;
  voteCount: number;
  categoryId: number;
  threadId: number;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

const COLUMNS = `id, author_id AS authorId, title, description, description_html AS descriptionHtml, status,
  status_note AS statusNote, status_changed_at AS statusChangedAt, duplicate_of_id AS duplicateOfId, vote_count AS voteCount,
  category_id AS categoryId, thread_id AS threadId, created_at AS createdAt, updated_at AS updatedAt, deleted_at AS deletedAt`;

export function loadSuggestion(db: DbOrTx, id: number): SuggestionRow | undefined {
  return get<SuggestionRow>(db, `SELECT ${COLUMNS} FROM suggestions WHERE id = @id`, { id });
}

export const stateOf = (s: SuggestionRow): SuggestionState => ({
  authorId: s.authorId,
  status: s.status,
  deletedAt: s.deletedAt
});

/** A suggestion the caller may see, or 404. */
export function readableSuggestion(ctx: Ctx, id: number): SuggestionRow {
  const row = loadSuggestion(ctx.db, id);
  if (!row || !can(ctx.actor, 'suggestion.read', stateOf(row))) throw new NotFound(SUGGESTION_NOT_FOUND);
  return row;
}

/** vote_count is always the number of vote rows: recounted in the transaction that changed them. */
export function recount(db: DbOrTx, suggestionId: number): number {
  run(
    db,
    `UPDATE suggestions SET vote_count = (SELECT count(*) FROM suggestion_votes WHERE suggestion_id = @suggestionId)
     WHERE id = @suggestionId`,
    { suggestionId }
  );
  return get<{ n: number }>(db, 'SELECT vote_count AS n FROM suggestions WHERE id = @suggestionId', { suggestionId })!.n;
}

// Snippet and highlight markers elsewhere must never come from members' text.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Keeps suggestion_search (FTS5, rowid = suggestion id) in step, inside the writer's transaction. */
export function indexSuggestion(db: DbOrTx, id: number, row: { title: string; text: string }): void {
  run(db, 'DELETE FROM suggestion_search WHERE rowid = @id', { id });
  run(db, 'INSERT INTO suggestion_search (rowid, title, description) VALUES (@id, @title, @description)', {
    id,
    title: row.title.replace(CONTROL, ' '),
    description: row.text.replace(CONTROL, ' ')
  });
}
