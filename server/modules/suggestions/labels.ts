import type { SuggestionStatus } from '../../../db/schema/index.ts';

/** Statuses in the members' words (notifications, e-mails; the web has the same list). */
export const SUGGESTION_STATUS_LABELS: Record<SuggestionStatus, string> = {
  new: 'New',
  under_review: 'Under review',
  planned: 'Planned',
  in_progress: 'In progress',
  done: 'Done',
  declined: 'Declined',
  already_exists: 'Already exists'
};
