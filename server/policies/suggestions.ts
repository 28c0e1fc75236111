import type { SuggestionStatus } from '../../db/schema/index.ts';
import { isActiveMember, type Actor } from './actor.ts';

/**
 * The suggestions board. Every active member reads every suggestion, submits, votes and comments
 * (comments are a thread in the shared attached category: the discussions read rule). A suggestion
 * an admin deleted is seen by admins only. The author may edit while nobody has acted on it
 * (status "new"); admins set the status (with a public note) and delete. Voting closes once the
 * suggestion is done, declined, or merged into another ("already exists").
 */

export interface SuggestionState {
  authorId: number;
  status: SuggestionStatus;
  deletedAt: number | null;
}

/** Statuses in which members may no longer vote (the votes of an "already exists" moved to the original). */
export const VOTING_CLOSED: readonly SuggestionStatus[] = ['done', 'declined', 'already_exists'];

const admin = (actor: Actor | null): actor is Actor => isActiveMember(actor) && actor.role === 'admin';

export function canReadSuggestion(actor: Actor | null, s: SuggestionState): boolean {
  return isActiveMember(actor) && (s.deletedAt === null || admin(actor));
}

/** The same rule over suggestions alias `s`, bound with @readerActive and @readerAdmin (suggestionReaderParams). */
export const READABLE_SUGGESTION_SQL = '(@readerActive = 1 AND (s.deleted_at IS NULL OR @readerAdmin = 1))';

export function suggestionReaderParams(actor: Actor | null): { readerActive: 0 | 1; readerAdmin: 0 | 1 } {
  return { readerActive: isActiveMember(actor) ? 1 : 0, readerAdmin: admin(actor) ? 1 : 0 };
}

export const suggestionsPolicy = {
  /** Route gate of every suggestion route: an active member; each suggestion is then checked below. */
  'suggestions.use': (actor: Actor | null) => isActiveMember(actor),
  /** Route gate of setting a status and deleting. */
  'suggestions.manage': (actor: Actor | null) => admin(actor),
  'suggestion.read': (actor: Actor | null, s?: SuggestionState) => s !== undefined && canReadSuggestion(actor, s),
  'suggestion.edit': (actor: Actor | null, s?: SuggestionState) =>
    s !== undefined && canReadSuggestion(actor, s) && s.deletedAt === null && s.status === 'new' && s.authorId === actor!.id,
  'suggestion.vote': (actor: Actor | null, s?: SuggestionState) =>
    s !== undefined && canReadSuggestion(actor, s) && s.deletedAt === null && !VOTING_CLOSED.includes(s.status),
  'suggestion.setStatus': (actor: Actor | null, s?: SuggestionState) => s !== undefined && admin(actor) && s.deletedAt === null,
  'suggestion.delete': (actor: Actor | null, s?: SuggestionState) => s !== undefined && admin(actor) && s.deletedAt === null
};
