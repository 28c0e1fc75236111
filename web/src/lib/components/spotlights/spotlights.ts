/**
 * Weekly spotlights: the shapes the API answers with (server/modules/spotlights, contract in
 * /work/briefs/s4/spotlights-api.md), the words shown for its codes, and browser-safe helpers.
 */

export const SPOTLIGHT_KINDS = ['member', 'task_force', 'practice', 'resource', 'partner'] as const;
export type SpotlightKind = (typeof SPOTLIGHT_KINDS)[number];

export const KIND_LABELS: Record<SpotlightKind, string> = {
  member: 'Member',
  task_force: 'Task force',
  practice: 'Promising practice',
  resource: 'Resource',
  partner: 'Partner'
};

/** What the editor is asked to fill in for each kind (shown under the radio). */
export const KIND_HINTS: Record<SpotlightKind, string> = {
  member: 'Features one member. They approve the text before it runs.',
  task_force: 'Features a task force. One of its coordinators approves the text before it runs.',
  practice: 'A promising practice. No approval needed.',
  resource: 'Features a resource from the library that every member can read.',
  partner: 'Features a partner organization.'
};

export const isKind = (value: string): value is SpotlightKind => (SPOTLIGHT_KINDS as readonly string[]).includes(value);

export type ConsentState = 'not_needed' | 'pending' | 'approved' | 'changes_requested' | 'declined';
export type SpotlightStatus = 'draft' | 'scheduled' | 'waiting' | 'published' | 'missed' | 'withdrawn';
export type ConsentDecision = 'requested' | 'approved' | 'changes_requested' | 'declined';

export const STATUS_LABELS: Record<SpotlightStatus, string> = {
  draft: 'Draft (no week yet)',
  scheduled: 'Scheduled',
  waiting: 'Due, waiting for approval',
  published: 'Published',
  missed: 'Missed its week (not published)',
  withdrawn: 'Withdrawn'
};

export const CONSENT_LABELS: Record<ConsentState, string> = {
  not_needed: 'No approval needed',
  pending: 'Waiting for approval',
  approved: 'Approved',
  changes_requested: 'Changes asked',
  declined: 'Declined'
};

export const DECISION_LABELS: Record<ConsentDecision, string> = {
  requested: 'Approval requested',
  approved: 'Approved',
  changes_requested: 'Asked for changes',
  declined: 'Declined'
};

export interface Person {
  id: number;
  name: string;
}

export interface Featured {
  member: { id: number; displayName: string } | null;
  taskForce: { id: number; name: string } | null;
  resource: { id: number; title: string } | null;
  partner: { name: string; url: string | null } | null;
}

export interface SpotlightSummary {
  id: number;
  kind: SpotlightKind;
  kindLabel: string;
  title: string;
  summary: string;
  week: string | null;
  publishAt: number | null;
  publishedAt: number | null;
  status: SpotlightStatus;
  featured: Featured;
  imageUrl: string | null;
  /** Escaped text with <mark> tags only (archive search): safe for RenderedHtml. */
  snippetHtml: string | null;
}

export interface ConsentEntry {
  decision: ConsentDecision;
  revision: number;
  comment: string | null;
  member: Person;
  createdAt: number;
}

export interface Spotlight extends SpotlightSummary {
  /** SPOTLIGHT_TIME_ZONE: publish times are shown there. */
  timeZone: string;
  body: string;
  bodyHtml: string;
  revision: number;
  threadId: number | null;
  author: Person;
  deleted: boolean;
  createdAt: number;
  updatedAt: number;
  consent: {
    state: ConsentState;
    revision: number | null;
    deciders: Person[];
    history: ConsentEntry[];
  };
  can: { edit: boolean; delete: boolean; schedule: boolean; decide: boolean };
}

export interface CalendarWeek {
  week: string;
  publishAt: number;
  spotlight: {
    id: number;
    title: string;
    kind: SpotlightKind;
    kindLabel: string;
    status: SpotlightStatus;
    consentState: ConsentState;
  } | null;
}

export interface CalendarDraft extends SpotlightSummary {
  consentState: ConsentState;
}

export interface ConsentRequest {
  id: number;
  title: string;
  kind: SpotlightKind;
  kindLabel: string;
  week: string | null;
  publishAt: number | null;
  revision: number;
  requestedAt: number;
}

const WEEK = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' });

/** "Week of Mar 9, 2026" for a slot's Monday (YYYY-MM-DD). */
export function weekLabel(week: string | null): string {
  if (!week || !/^\d{4}-\d{2}-\d{2}$/.test(week)) return 'No week yet';
  return `Week of ${WEEK.format(new Date(`${week}T00:00:00Z`))}`;
}

/**
 * The consent state in the members' words: who is asked, and what they said last. The latest
 * comment for the current state comes from the history (newest first).
 */
export function consentText(spotlight: Pick<Spotlight, 'consent' | 'revision'>): { text: string; comment: string | null } {
  const { state, deciders, history } = spotlight.consent;
  const names = deciders.map((d) => d.name).join(' or ');
  const last = history.find((h) => h.decision !== 'requested') ?? null;
  switch (state) {
    case 'not_needed':
      return { text: 'No approval needed for this kind of spotlight.', comment: null };
    case 'pending':
      return { text: names ? `Waiting for approval by ${names}` : 'Waiting for approval', comment: null };
    case 'approved':
      return { text: last ? `Approved by ${last.member.name}` : 'Approved', comment: null };
    case 'changes_requested':
      return { text: 'Changes asked', comment: last?.comment ?? null };
    case 'declined':
      return { text: last ? `Declined by ${last.member.name}` : 'Declined', comment: last?.comment ?? null };
  }
}

/**
 * Publish moments in the slot's time zone (SPOTLIGHT_TIME_ZONE, from the API; editors plan in it,
 * "Monday 09:00 EST"), not UTC like the rest of the app's timestamps.
 */
export function formatSlotTime(ms: number | null | undefined, timeZone: string): string {
  if (ms === null || ms === undefined) return '—';
  return (
    new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(ms)) +
    ` ${zoneName(ms, timeZone)}`
  );
}

function zoneName(ms: number, timeZone: string): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' })
    .formatToParts(new Date(ms))
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? timeZone;
}
