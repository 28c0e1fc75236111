import type { Role } from '../../db/schema/index.ts';
import type { SuggestionStatus } from '../../db/schema/suggestions.ts';

/**
 * Every domain event, named entity.verb. Published after the transaction that caused it commits.
 * Raw tokens travel in memory to the mailer only; they are never stored or logged.
 */
export type DomainEvent =
  | { type: 'membership.requested'; requestId: number; email: string; fullName: string; confirmToken: string }
  | {
      type: 'membership.submitted';
      requestId: number;
      email: string;
      fullName: string;
      statusToken: string;
      taskForceId: number | null;
    }
  | {
      type: 'membership.info_requested';
      requestId: number;
      email: string;
      fullName: string;
      message: string;
      statusToken: string;
    }
  | { type: 'membership.applicant_responded'; requestId: number; taskForceId: number | null }
  | {
      type: 'membership.decided';
      requestId: number;
      email: string;
      fullName: string;
      decision: 'approved' | 'declined';
      reason: string | null;
      statusToken: string;
      activationToken: string | null;
      memberId: number | null;
    }
  | { type: 'member.activated'; memberId: number }
  /** A member saved their directory profile (caches of names, photos and visibility can refresh). */
  | { type: 'profile.updated'; memberId: number }
  | { type: 'member.password_reset_requested'; memberId: number; email: string; name: string; token: string }
  | { type: 'member.password_changed'; memberId: number; email: string; name: string }
  | {
      type: 'member.access_expiring';
      memberId: number;
      email: string;
      name: string;
      endsAt: number;
      daysLeft: number;
      coordinatorEmails: string[];
    }
  | { type: 'member.access_ended'; memberId: number; email: string; name: string; reason: 'expired' | 'disabled' }
  | { type: 'member.suspended'; memberId: number }
  | { type: 'member.reinstated'; memberId: number }
  | { type: 'member.role_changed'; memberId: number; from: Role; to: Role }
  | { type: 'session.revoked'; memberId: number; sessionIds: string[] }
  // Discussions. Each carries categoryId: a subscriber must deliver only to members who may read that
  // category (server/policies/discussions.ts; memberCanReadCategory in server/modules/discussions/access.ts).
  | {
      type: 'thread.created';
      threadId: number;
      categoryId: number;
      postId: number;
      authorId: number;
      title: string;
      /** Plain text, first 200 characters. */
      excerpt: string;
    }
  | {
      type: 'post.created';
      postId: number;
      threadId: number;
      categoryId: number;
      number: number;
      authorId: number;
      threadTitle: string;
      excerpt: string;
      quotedPostId: number | null;
      quotedAuthorId: number | null;
    }
  | { type: 'post.edited'; postId: number; threadId: number; categoryId: number; authorId: number; editorId: number }
  /** Only members who may read the thread are mentioned (others get no event). */
  | { type: 'member.mentioned'; memberId: number; postId: number; threadId: number; categoryId: number; byMemberId: number }
  | {
      type: 'post.reacted';
      postId: number;
      threadId: number;
      categoryId: number;
      authorId: number;
      reactorId: number;
      kind: string;
    }
  | { type: 'post.deleted'; postId: number; threadId: number; categoryId: number; byModerator: boolean }
  | { type: 'post.restored'; postId: number; threadId: number; categoryId: number }
  | {
      type: 'post.flagged';
      flagId: number;
      postId: number;
      threadId: number;
      categoryId: number;
      flaggerId: number;
      reason: string;
      /** A PII flag hides the post at once. */
      hidden: boolean;
    }
  | { type: 'post.hidden'; postId: number; threadId: number; categoryId: number; reason: 'pii_flag' | 'moderator' }
  /** Text removed everywhere: subscribers must drop any queued copy (pending mail, digests). */
  | { type: 'post.purged'; postId: number; threadId: number; categoryId: number }
  | {
      type: 'moderation.outcome';
      postId: number;
      threadId: number;
      categoryId: number;
      outcome: 'dismiss' | 'hide' | 'edit' | 'delete' | 'warn' | 'purge';
      authorId: number;
      moderatorId: number;
      /** Whose open flags this decision resolved (they are told the outcome). */
      flaggerIds: number[];
      /** The moderator's words to the author (warn), or null. */
      message: string | null;
    }
  | {
      type: 'thread.moderated';
      threadId: number;
      categoryId: number;
      action: 'pinned' | 'unpinned' | 'locked' | 'unlocked' | 'closed' | 'reopened' | 'moved' | 'deleted' | 'restored';
      moderatorId: number;
      /** For 'moved': where it was. */
      fromCategoryId: number | null;
    }
  // Notifications: published by the notifications subscriber once the row is committed (the realtime
  // hub pushes it); `replaces` names a row it superseded (a grouped reaction, a mention over a reply).
  | { type: 'notification.created'; memberId: number; notificationId: number; replaces: number | null }
  /** Rows marked read (null: every unread row up to some id); the member's other tabs update their badge. */
  | { type: 'notifications.read'; memberId: number; ids: number[] | null }
  // Resource library. categoryId is the resource's comments category, which carries its audience:
  // deliver only to members who may read it (memberReadsResourceSql in server/policies/resources.ts).
  | {
      type: 'resource.shared';
      resourceId: number;
      categoryId: number;
      threadId: number;
      authorId: number;
      title: string;
      resourceType: string;
      tags: string[];
    }
  | {
      type: 'resource.updated';
      resourceId: number;
      categoryId: number;
      editorId: number;
      change: 'details' | 'version' | 'deleted' | 'restored';
    }
  | { type: 'resource.link_reported'; resourceId: number; categoryId: number; reporterId: number; reportId: number }
  // Weekly spotlights (server/modules/spotlights). Before it is published only its writers and deciders may read it.
  | { type: 'spotlight.consent_requested'; spotlightId: number; revision: number; requestedBy: number }
  | {
      type: 'spotlight.consent_decided';
      spotlightId: number;
      revision: number;
      decision: 'approved' | 'changes_requested' | 'declined';
      deciderId: number;
      comment: string | null;
    }
  /** Every active member's notice is already stored (in the publishing transaction). */
  | { type: 'spotlight.published'; spotlightId: number; threadId: number; title: string }
  // Suggestions board: every active member reads it. status_changed names who is told (the author and the
  // voters, as counted in the transaction, before an "already exists" moved the votes to the original).
  | { type: 'suggestion.created'; suggestionId: number; authorId: number; title: string }
  | {
      type: 'suggestion.status_changed';
      suggestionId: number;
      title: string;
      from: SuggestionStatus;
      to: SuggestionStatus;
      note: string | null;
      duplicateOfId: number | null;
      changedBy: number;
      audienceIds: number[];
    }
  // Direct messages. memberIds are the conversation's two members: the only audience of anything about it.
  | { type: 'message.sent'; messageId: number; conversationId: number; senderId: number; recipientId: number }
  | {
      type: 'message.flagged';
      flagId: number;
      messageId: number;
      conversationId: number;
      memberIds: [number, number];
      flaggerId: number;
      reason: string;
      /** A PII flag hides the message at once, for both members. */
      hidden: boolean;
    }
  | {
      type: 'message.hidden';
      messageId: number;
      conversationId: number;
      memberIds: [number, number];
      reason: 'pii_flag' | 'moderator';
    }
  /** Deleted by its sender or a moderator, purged (text gone for good), or shown again after review. */
  | {
      type: 'message.changed';
      messageId: number;
      conversationId: number;
      memberIds: [number, number];
      change: 'deleted' | 'purged' | 'restored';
    }
  /** A member read a conversation: their other tabs update the unread-messages badge. */
  | { type: 'messages.read'; memberId: number; conversationId: number }
  | {
      type: 'message.moderated';
      messageId: number;
      conversationId: number;
      outcome: 'dismiss' | 'hide' | 'delete' | 'purge' | 'warn';
      authorId: number;
      moderatorId: number;
      flaggerIds: number[];
      /** The moderator's words to the author (warn), or null. */
      message: string | null;
    };

export type EventType = DomainEvent['type'];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;
