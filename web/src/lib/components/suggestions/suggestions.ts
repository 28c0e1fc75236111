/** The suggestions board as the pages see it (server/modules/suggestions: the API decides everything). */

export const STATUSES = ['new', 'under_review', 'planned', 'in_progress', 'done', 'declined', 'already_exists'] as const;
export type SuggestionStatus = (typeof STATUSES)[number];

export const STATUS_LABELS: Record<SuggestionStatus, string> = {
  new: 'New',
  under_review: 'Under review',
  planned: 'Planned',
  in_progress: 'In progress',
  done: 'Done',
  declined: 'Declined',
  already_exists: 'Already exists'
};

export const SORTS = ['votes', 'newest', 'status'] as const;
export type SuggestionSort = (typeof SORTS)[number];
export const SORT_LABELS: Record<SuggestionSort, string> = { votes: 'Most votes', newest: 'Newest', status: 'Status' };

export const TITLE_MIN = 8;
export const TITLE_MAX = 150;
export const DESCRIPTION_MAX = 10_000;
export const NOTE_MAX = 2_000;

export const isStatus = (v: string): v is SuggestionStatus => (STATUSES as readonly string[]).includes(v);
export const isSort = (v: string): v is SuggestionSort => (SORTS as readonly string[]).includes(v);

export interface SuggestionSummary {
  id: number;
  title: string;
  status: SuggestionStatus;
  voteCount: number;
  myVote: boolean;
  votingOpen: boolean;
  author: { id: number; displayName: string };
  commentCount: number;
  duplicateOfId: number | null;
  createdAt: number;
}

export interface StatusChange {
  id: number;
  fromStatus: SuggestionStatus;
  toStatus: SuggestionStatus;
  note: string | null;
  duplicateOfId: number | null;
  changedBy: { id: number; displayName: string };
  createdAt: number;
}

export interface Suggestion extends SuggestionSummary {
  description: string;
  descriptionHtml: string;
  statusNote: string | null;
  statusChangedAt: number | null;
  threadId: number;
  deleted: boolean;
  history: StatusChange[];
  original: { id: number; title: string; status: SuggestionStatus } | null;
  duplicates: { id: number; title: string }[];
  can: { vote: boolean; edit: boolean; setStatus: boolean; delete: boolean };
}

export const votes = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'vote' : 'votes'}`;
