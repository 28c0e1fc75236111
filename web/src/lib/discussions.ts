/**
 * Discussions: the shapes the API answers with (server/modules/discussions/*), the words shown for
 * its codes, and small helpers shared by the pages and their components (browser-safe: no API calls).
 */

export type Reaction = 'thumbs_up' | 'thanks' | 'helpful' | 'insightful' | 'support';
export type NotificationLevel = 'watching' | 'normal' | 'muted';
export type FlagReason = 'pii' | 'off_topic' | 'inappropriate' | 'other';

export const REACTIONS: readonly Reaction[] = ['thumbs_up', 'thanks', 'helpful', 'insightful', 'support'];

export const REACTION_LABELS: Record<Reaction, string> = {
  thumbs_up: 'Thumbs up',
  thanks: 'Thanks',
  helpful: 'Helpful',
  insightful: 'Insightful',
  support: 'Support'
};

/** Decorative only (aria-hidden): the label carries the meaning. */
export const REACTION_ICONS: Record<Reaction, string> = {
  thumbs_up: '👍',
  thanks: '🙏',
  helpful: '✅',
  insightful: '💡',
  support: '🤝'
};

export const LEVELS: readonly NotificationLevel[] = ['watching', 'normal', 'muted'];

export const LEVEL_LABELS: Record<NotificationLevel, string> = {
  watching: 'Watching: every new post',
  normal: 'Normal: mentions and quotes',
  muted: 'Muted: nothing'
};

export const FLAG_REASONS: readonly FlagReason[] = ['pii', 'off_topic', 'inappropriate', 'other'];

export const FLAG_REASON_LABELS: Record<FlagReason, string> = {
  pii: 'Victim-identifying information',
  off_topic: 'Off-topic',
  inappropriate: 'Inappropriate',
  other: 'Other'
};

export const PRIVACY_RULE =
  'Never post information that could identify a victim: names, dates of birth, addresses, phone numbers, case or docket numbers.';

export const TITLE_MIN = 8;
export const TITLE_MAX = 200;
export const BODY_MAX = 50_000;
/** The API's thread page size (threadPage.ts PAGE_SIZE): permalinks open the page that holds the post. */
export const POSTS_PER_PAGE = 20;

export interface CategorySummary {
  id: number;
  name: string;
  description: string;
  colour: string;
  textColour: string;
  isPrivate: boolean;
  audience: { taskForces: { id: number; name: string }[]; disciplines: string[] } | null;
  threadCount: number;
  postCount: number;
  lastPostAt: number | null;
  notificationLevel: NotificationLevel;
  /** Not sent by the API yet (see the report): shown when present. */
  unreadThreadCount?: number;
}

export interface ThreadSummary {
  id: number;
  title: string;
  category: { id: number; name: string; colour: string };
  author: { id: number; name: string };
  createdAt: number;
  lastPostAt: number;
  lastPoster: { id: number; name: string } | null;
  postCount: number;
  replyCount: number;
  unreadCount: number;
  isNew: boolean;
  pinned: { scope: 'category' | 'global'; until: number | null } | null;
  locked: boolean;
  closed: boolean;
  deleted: boolean;
}

export interface ThreadList {
  pinned: ThreadSummary[];
  threads: ThreadSummary[];
  next: string | null;
}

export interface PostView {
  id: number;
  number: number;
  author: { id: number; name: string };
  createdAt: number;
  editedAt: number | null;
  status: 'visible' | 'hidden' | 'deleted';
  hiddenReason: 'pii_flag' | 'moderator' | null;
  purged: boolean;
  html: string | null;
  quote: { postId: number; number: number; threadId: number; authorName: string } | null;
  reactions: { kind: Reaction; count: number; reacted: boolean }[];
  bookmarked: boolean;
  privacyConfirmed: string[] | null;
  can: { edit: boolean; delete: boolean; react: boolean; flag: boolean; viewRevisions: boolean };
}

export interface ThreadPage {
  thread: {
    id: number;
    title: string;
    category: { id: number; name: string; colour: string; isPrivate: boolean };
    /** Comments on a resource, spotlight or suggestion live on that page ("/resources/12"). */
    home: string | null;
    authorId: number;
    createdAt: number;
    lastPostAt: number;
    postCount: number;
    lastPostNumber: number;
    pinned: { scope: 'category' | 'global'; until: number | null } | null;
    locked: boolean;
    closed: boolean;
    deleted: boolean;
    notificationLevel: NotificationLevel;
    can: { reply: boolean; moderate: boolean };
  };
  reading: { lastReadNumber: number; firstUnreadNumber: number | null };
  posts: PostView[];
  page: { before: number | null; from: number | null };
}

export interface PrivacyFinding {
  kind: string;
  label: string;
  excerpt: string;
}

export interface MentionCandidate {
  id: number;
  name: string;
  agency: string;
  insert: string;
}

export const isLevel = (value: string): value is NotificationLevel => (LEVELS as readonly string[]).includes(value);
export const isReaction = (value: string): value is Reaction => (REACTIONS as readonly string[]).includes(value);
export const isFlagReason = (value: string): value is FlagReason => (FLAG_REASONS as readonly string[]).includes(value);

/** "3 replies", "1 reply". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

/** A positive id from a route parameter or a form field, or null. */
export function idFrom(value: string | null | undefined): number | null {
  if (!value || !/^\d{1,10}$/.test(value)) return null;
  const id = Number(value);
  return id >= 1 && id <= 2_147_483_647 ? id : null;
}

/** Keyset cursors are "<ms>.<id>"; anything else is dropped rather than sent on. */
export function cursorFrom(value: string | null): string | undefined {
  return value && /^\d{1,15}\.\d{1,12}$/.test(value) ? value : undefined;
}

/** Where a post lives: its thread's page that holds it, scrolled to it. */
/**
 * A comment's place on the page it hangs on (a resource, spotlight or suggestion page shows its
 * thread with ?comments=<first number of the page>).
 */
export function commentHref(home: string, number: number): string {
  const from = Math.floor((number - 1) / POSTS_PER_PAGE) * POSTS_PER_PAGE + 1;
  return `${home}${from === 1 ? '' : `?comments=${from}`}#post-${number}`;
}

export function postHref(threadId: number, number: number): string {
  const from = Math.floor((number - 1) / POSTS_PER_PAGE) * POSTS_PER_PAGE + 1;
  // Always name the page: without ?from= the thread opens at the first unread post instead.
  return `/discussions/t/${threadId}?from=${from}#post-${number}`;
}

/**
 * Quoted text as a Markdown blockquote with attribution. Relative links are dropped by the server's
 * renderer, so the attribution names the author and post number in plain text (the post keeps
 * quotePostId, which the thread page turns into a link).
 */
export function quoteMarkdown(text: string, authorName: string, number: number): string {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split('\n')
    .map((line) => `> ${line}`.trimEnd());
  return `> **${authorName.replace(/[*_[\]\\`]/g, '')}** wrote (post #${number}):\n>\n${lines.join('\n')}\n\n`;
}

/**
 * What every discussion form action answers (success or fail()): one loose shape, so a page with
 * many forms can tell which one the answer belongs to (scope, postId) and show it beside that form.
 */
export type ActionOutcome = {
  scope: 'composer' | 'draft' | 'post' | 'thread' | 'moderate' | 'read';
  postId?: number;
  success?: string;
  message?: string;
  fields?: Record<string, string>;
  values?: Record<string, string>;
  /** The privacy guard's findings: the author must edit or confirm. */
  findings?: PrivacyFinding[];
  preview?: { html: string; title: string | null; findings: PrivacyFinding[] };
  savedAt?: number;
};

/** The page's `form` prop, read as the one outcome shape. */
export function outcomeOf(form: unknown): ActionOutcome | null {
  return form && typeof form === 'object' && 'scope' in form ? (form as ActionOutcome) : null;
}

/** The privacy guard's kinds (server/shared/privacyGuard.ts), as moderators read them on a confirmed post. */
export const PRIVACY_KIND_LABELS: Record<string, string> = {
  ssn: 'a Social Security number',
  date_of_birth: 'a date of birth',
  phone: 'a phone number',
  street_address: 'a street address',
  case_number: 'a case or docket number',
  email: 'an e-mail address of someone who is not a member'
};

export const isoTime = (ms: number): string => new Date(ms).toISOString();
