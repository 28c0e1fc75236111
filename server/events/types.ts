import type { Role } from '../../db/schema/index.ts';

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
  | { type: 'resource.link_reported'; resourceId: number; categoryId: number; reporterId: number; reportId: number };

export type EventType = DomainEvent['type'];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;
