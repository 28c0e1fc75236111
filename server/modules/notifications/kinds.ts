import type { EmailPreference } from '../../../db/schema/index.ts';
import { can, type Actor } from '../../policies/index.ts';
import { isoDay } from '../../shared/dates.ts';
import type { SuggestionStatus } from '../../../db/schema/suggestions.ts';
import { SUGGESTION_STATUS_LABELS } from '../suggestions/labels.ts';

export interface Person {
  id: number;
  name: string;
}

/** What a row's `data` may hold; each kind uses the fields it needs. Stored as JSON: add fields freely. */
export interface NotificationData {
  actor?: Person;
  /** Grouped kinds: the latest people first (a few), and how many in all. */
  actors?: Person[];
  count?: number;
  threadId?: number;
  threadTitle?: string;
  postId?: number;
  postNumber?: number;
  categoryId?: number;
  categoryName?: string;
  /** Plain text of the post, shown in-app and in e-mails about public categories only. */
  excerpt?: string | null;
  outcome?: ModerationOutcome;
  /** moderation_outcome: told as the post's author or as one who flagged it. */
  as?: 'author' | 'flagger';
  /** A moderator's warning to the author. */
  message?: string | null;
  requestId?: number;
  applicantName?: string;
  taskForceName?: string | null;
  responded?: boolean;
  endsAt?: number;
  daysLeft?: number;
  /** Resource library: the resource, and why the member is told (a watched tag or type). */
  resourceId?: number;
  resourceTitle?: string;
  watched?: { kind: 'tag' | 'type'; value: string; label: string };
  /** Suggestions board: the suggestion, its new status, and the admin's public note. */
  suggestionId?: number;
  suggestionTitle?: string;
  suggestionStatus?: string;
  statusNote?: string | null;
  /** Direct messages: the conversation (never the message's text). */
  conversationId?: number;
  /** Weekly spotlights: the spotlight; `about` names the featured task force (a member is "you"). */
  spotlightId?: number;
  spotlightTitle?: string;
  about?: string | null;
  decision?: 'approved' | 'changes_requested' | 'declined';
  /** The spotlight's publish moment passed without approval (its author is told once). */
  waiting?: boolean;
  /** The row this one superseded (its id is gone: clients drop it from their lists). */
  replaces?: number | null;
}

export type ModerationOutcome = 'dismiss' | 'hide' | 'edit' | 'delete' | 'warn' | 'purge';

/** Direct-message notices fold per conversation (one unread row: "X sent you 3 messages"). */
export const directMessageGroup = (conversationId: number) => `direct_message:${conversationId}`;

type MessageOutcome = Exclude<ModerationOutcome, 'edit'>;

const MESSAGE_OUTCOME_FOR_AUTHOR: Record<MessageOutcome, string> = {
  dismiss: 'A moderator reviewed a message you sent and restored it',
  hide: 'A moderator hid a message you sent',
  delete: 'A moderator removed a message you sent',
  warn: 'A moderator sent you a warning about a message you sent',
  purge: 'A moderator removed text that may identify a victim from a message you sent'
};

const MESSAGE_OUTCOME_FOR_FLAGGER: Record<MessageOutcome, string> = {
  dismiss: 'no action was needed',
  hide: 'the message was hidden',
  delete: 'the message was removed',
  warn: 'the sender was warned',
  purge: 'the identifying text was removed'
};

const messagesSent = (d: NotificationData) => {
  const count = d.count ?? 1;
  return `${who(d)} sent you ${count === 1 ? 'a message' : `${count} messages`}`;
};
const conversationUrl = (d: NotificationData) => (d.conversationId ? `/messages/${d.conversationId}` : null);

export interface KindSpec {
  /** On the preferences page. */
  label: string;
  description: string;
  defaultEmail: EmailPreference;
  /** Kinds about one post supersede each other by rank: a mention replaces a reply notice of the same post. */
  rank?: number;
  /** Who gets this kind at all (the preferences page lists only those). Everyone when absent. */
  appliesTo?: (actor: Actor) => boolean;
  /** One short sentence in the members' words (the bell, the list, the toast, the e-mail subject). */
  text: (d: NotificationData) => string;
  /** Where it leads: the exact post where there is one. */
  url: (d: NotificationData) => string | null;
  /** Grouped kinds: fold a new occurrence into the unread row with the same group key. */
  merge?: (previous: NotificationData, next: NotificationData) => NotificationData;
}

const quoted = (title: string | undefined) => `“${title ?? 'a thread'}”`;
const who = (d: NotificationData) => d.actor?.name ?? 'Someone';
const postUrl = (d: NotificationData) => (d.postId ? `/discussions/p/${d.postId}` : null);

function peopleReacted(d: NotificationData): string {
  const [first, second] = d.actors ?? [];
  const count = d.count ?? (d.actors?.length || 1);
  const name = first?.name ?? 'Someone';
  if (count <= 1) return name;
  if (count === 2 && second) return `${name} and ${second.name}`;
  return `${name} and ${count - 1} others`;
}

const OUTCOME_FOR_AUTHOR: Record<ModerationOutcome, string> = {
  dismiss: 'A moderator reviewed your post and restored it',
  hide: 'A moderator hid your post',
  edit: 'A moderator edited your post',
  delete: 'A moderator removed your post',
  warn: 'A moderator sent you a warning about your post',
  purge: 'A moderator removed text that may identify a victim from your post'
};

const OUTCOME_FOR_FLAGGER: Record<ModerationOutcome, string> = {
  dismiss: 'no action was needed',
  hide: 'the post was hidden',
  edit: 'the post was edited',
  delete: 'the post was removed',
  warn: 'the author was warned',
  purge: 'the identifying text was removed'
};

const SPOTLIGHT_DECISION_WORDS = {
  approved: 'approved',
  changes_requested: 'asked for changes to',
  declined: 'declined'
} as const;

/**
 * The registry of kinds. Adding one (spotlight published, resource shared, suggestion status
 * changed…) is an entry here plus a handler in server/events/subscribers/notifications.ts that
 * decides its audience: no migration, no change to the other kinds, the API, the socket or the mails.
 * Rows whose kind has left the registry are still listed, with a neutral text.
 */
export const KINDS = {
  reply: {
    label: 'Replies in threads you watch',
    description: 'Someone replies in a thread you started, replied to, or chose to watch.',
    defaultEmail: 'immediate',
    rank: 1,
    text: (d) => `${who(d)} replied in ${quoted(d.threadTitle)}`,
    url: postUrl
  },
  quote: {
    label: 'Quotes of your posts',
    description: 'Someone quotes one of your posts in a reply.',
    defaultEmail: 'immediate',
    rank: 2,
    text: (d) => `${who(d)} quoted your post in ${quoted(d.threadTitle)}`,
    url: postUrl
  },
  mention: {
    label: 'Mentions',
    description: 'Someone mentions you by name in a post.',
    defaultEmail: 'immediate',
    rank: 3,
    text: (d) => `${who(d)} mentioned you in ${quoted(d.threadTitle)}`,
    url: postUrl
  },
  reaction: {
    label: 'Reactions to your posts',
    description: 'Members react to one of your posts (grouped: one notice per post).',
    defaultEmail: 'off',
    text: (d) => `${peopleReacted(d)} reacted to your post in ${quoted(d.threadTitle)}`,
    url: postUrl,
    merge: (previous, next) => {
      const people = [...(next.actors ?? []), ...(previous.actors ?? [])].filter(
        (p, i, list) => list.findIndex((q) => q.id === p.id) === i
      );
      const repeat = (previous.actors ?? []).some((p) => next.actors?.some((q) => q.id === p.id));
      return { ...next, actors: people.slice(0, 3), count: (previous.count ?? 1) + (repeat ? 0 : 1) };
    }
  },
  new_thread: {
    label: 'New threads in categories you watch',
    description: 'Someone starts a thread in a category you chose to watch.',
    defaultEmail: 'daily',
    text: (d) => `${who(d)} started ${quoted(d.threadTitle)} in ${d.categoryName ?? 'a category you watch'}`,
    url: (d) => (d.threadId ? `/discussions/t/${d.threadId}` : null)
  },
  moderation_outcome: {
    label: 'Moderation decisions',
    description: 'A moderator acts on one of your posts, or decides on a post you flagged.',
    defaultEmail: 'immediate',
    text: (d) =>
      d.as === 'flagger'
        ? `Your flag on a post in ${quoted(d.threadTitle)} was reviewed: ${OUTCOME_FOR_FLAGGER[d.outcome ?? 'dismiss']}`
        : `${OUTCOME_FOR_AUTHOR[d.outcome ?? 'hide']} in ${quoted(d.threadTitle)}`,
    url: postUrl
  },
  membership_request: {
    label: 'Membership requests waiting',
    description: 'A membership request you can decide is waiting, or its applicant answered your question.',
    defaultEmail: 'immediate',
    appliesTo: (actor) => can(actor, 'membership.review'),
    text: (d) =>
      d.responded
        ? `${d.applicantName ?? 'An applicant'} answered the question on their membership request`
        : `${d.applicantName ?? 'Someone'} asked to join${d.taskForceName ? ` (${d.taskForceName})` : ''}: their request is waiting for review`,
    url: (d) => (d.requestId ? `/admin/membership/${d.requestId}` : null)
  },
  membership_decided: {
    label: 'Your membership',
    description: 'Your own membership request was approved (the activation e-mail is sent regardless).',
    defaultEmail: 'off',
    text: () => 'Welcome: your membership request was approved',
    url: () => '/discussions'
  },
  access_expiring: {
    label: 'Access ending soon',
    description: 'Your access is about to end with your task force’s grant period (an e-mail is sent regardless).',
    defaultEmail: 'off',
    text: (d) =>
      `Your access ends on ${d.endsAt ? isoDay(d.endsAt) : 'soon'}${d.daysLeft ? ` (in ${d.daysLeft} days)` : ''}: ask your coordinator or an administrator if it should continue`,
    url: () => null
  },
  resource_shared: {
    label: 'Resources shared',
    description: 'Someone shares a resource with a tag or of a type you chose to watch.',
    defaultEmail: 'daily',
    text: (d) =>
      `${who(d)} shared ${quoted(d.resourceTitle ?? 'a resource')}${d.watched ? ` (${d.watched.kind === 'tag' ? 'tag' : 'type'}: ${d.watched.label})` : ''}`,
    url: (d) => (d.resourceId ? `/resources/${d.resourceId}` : null)
  },
  resource_broken_link: {
    label: 'Broken links reported',
    description: 'A member reports that the link of a resource you shared, or one you moderate, no longer works.',
    defaultEmail: 'immediate',
    text: (d) => `${who(d)} reported a broken link in ${quoted(d.resourceTitle ?? 'a resource')}`,
    url: (d) => (d.resourceId ? `/resources/${d.resourceId}` : null)
  },
  spotlight_consent: {
    label: 'Spotlights waiting for your approval',
    description: 'An editor asks you to approve the text of a spotlight about you or your task force.',
    defaultEmail: 'immediate',
    text: (d) => `Please approve the spotlight ${quoted(d.spotlightTitle ?? 'a spotlight')} about ${d.about ?? 'you'}`,
    url: (d) => (d.spotlightId ? `/spotlights/${d.spotlightId}` : null)
  },
  spotlight_consent_decided: {
    label: 'Spotlight approvals',
    description: 'A featured member or coordinator answers a spotlight approval request, or a spotlight is due but not approved.',
    defaultEmail: 'immediate',
    appliesTo: (actor) => can(actor, 'spotlights.write'),
    text: (d) =>
      d.waiting
        ? `The spotlight ${quoted(d.spotlightTitle ?? 'a spotlight')} is due but still waiting for approval`
        : `${who(d)} ${SPOTLIGHT_DECISION_WORDS[d.decision ?? 'approved']} ${quoted(d.spotlightTitle ?? 'a spotlight')}`,
    url: (d) => (d.spotlightId ? `/spotlights/${d.spotlightId}` : null)
  },
  spotlight_published: {
    label: 'Weekly spotlight',
    description: 'A new weekly spotlight is published (the weekly summary e-mail leads with it).',
    defaultEmail: 'off',
    text: (d) => `This week’s spotlight: ${quoted(d.spotlightTitle ?? 'a spotlight')}`,
    url: (d) => (d.spotlightId ? `/spotlights/${d.spotlightId}` : null)
  },
  direct_message: {
    label: 'Direct messages',
    description: 'A member sends you a message (one notice per conversation; the e-mail never contains the message).',
    defaultEmail: 'immediate',
    // Never the message's text, in the app or by e-mail: who, and where to read it.
    text: messagesSent,
    url: conversationUrl,
    merge: (previous, next) => ({ ...next, count: (previous.count ?? 1) + (next.count ?? 1) })
  },
  message_moderation: {
    label: 'Moderation decisions on messages',
    description: 'A moderator acts on a message you sent, or decides on a message you flagged.',
    defaultEmail: 'immediate',
    text: (d) => {
      const outcome = (d.outcome === 'edit' ? 'hide' : (d.outcome ?? 'dismiss')) as MessageOutcome;
      return d.as === 'flagger'
        ? `Your flag on a message was reviewed: ${MESSAGE_OUTCOME_FOR_FLAGGER[outcome]}`
        : MESSAGE_OUTCOME_FOR_AUTHOR[outcome];
    },
    url: conversationUrl
  },
  suggestion_status: {
    label: 'Suggestions you made or voted for',
    description: 'An administrator changes the status of a suggestion you made or voted for.',
    defaultEmail: 'immediate',
    text: (d) =>
      `${quoted(d.suggestionTitle ?? 'A suggestion')} is now ${SUGGESTION_STATUS_LABELS[d.suggestionStatus as SuggestionStatus] ?? 'updated'}`,
    url: (d) => (d.suggestionId ? `/suggestions/${d.suggestionId}` : null)
  }
} satisfies Record<string, KindSpec>;

export type NotificationKind = keyof typeof KINDS;
export const KIND_NAMES = Object.keys(KINDS) as NotificationKind[];

export function kindSpec(kind: string): KindSpec | undefined {
  return (KINDS as Record<string, KindSpec>)[kind];
}

export function textOf(kind: string, data: NotificationData): string {
  return kindSpec(kind)?.text(data) ?? 'You have a notification';
}

export function urlOf(kind: string, data: NotificationData): string | null {
  return kindSpec(kind)?.url(data) ?? null;
}

/** The kinds a member can receive (and so set preferences for). */
export function kindsFor(actor: Actor): NotificationKind[] {
  return KIND_NAMES.filter((k) => {
    const spec: KindSpec = KINDS[k];
    return spec.appliesTo ? spec.appliesTo(actor) : true;
  });
}
