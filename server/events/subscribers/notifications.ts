import type { Deps } from '../../context.ts';
import type { EventBus } from '../bus.ts';
import { can } from '../../policies/index.ts';
import { excerpt } from '../../shared/markdown.ts';
import { readersAmong } from '../../modules/discussions/access.ts';
import { all, get } from '../../modules/discussions/sql.ts';
import { memberActors } from '../../modules/notifications/actors.ts';
import type { NotificationData, NotificationKind, Person } from '../../modules/notifications/kinds.ts';
import { forgetExcerpt, insertNotification, markGroupRead, type NewNotification } from '../../modules/notifications/store.ts';
import { subscribeMessageNotifications } from '../../modules/messages/notify.ts';
import { suggestionStatusDrafts } from '../../modules/suggestions/notify.ts';

type Draft = Omit<NewNotification, 'now' | 'kind'> & { kind: NotificationKind };

/**
 * Notifications are persisted first, here, as a subscriber of the bus; once committed,
 * notification.created is published and the realtime hub pushes it. Audiences use the discussions
 * read rule (readersAmong: the policy's SQL) at the moment the event is handled.
 *
 * Not notified, by decision: a declined applicant (no account exists: the e-mail tells them), and
 * coordinators about a member's expiring access (the access job e-mails them).
 */
export function subscribeNotifications(bus: EventBus, deps: Deps): void {
  const { db } = deps;

  // Through the group commit: the notifications of every reply in one batch share one fsync.
  const persist = async (drafts: Draft[]) => {
    if (drafts.length === 0) return;
    const now = deps.clock.now();
    const stored = await deps.writes.run((tx) => drafts.map((d) => insertNotification(tx, { ...d, now })));
    for (const n of stored) {
      if (n) bus.publish({ type: 'notification.created', memberId: n.memberId, notificationId: n.id, replaces: n.replaces });
    }
  };
  const person = (id: number): Person => ({
    id,
    name: get<{ name: string }>(db, 'SELECT name FROM members WHERE id = @id', { id })?.name ?? 'A member'
  });
  const threadTitle = (threadId: number) =>
    get<{ title: string }>(db, 'SELECT title FROM threads WHERE id = @threadId', { threadId })?.title ?? '';
  const postNumber = (postId: number) =>
    get<{ n: number }>(db, 'SELECT number AS n FROM posts WHERE id = @postId', { postId })?.n ?? null;
  const postText = (postId: number) => {
    const text = get<{ body: string }>(db, 'SELECT body FROM post_search WHERE rowid = @postId', { postId })?.body;
    return text ? excerpt(text) : null;
  };
  /** Members who muted the thread hear nothing more from it, mentions included. */
  const notMuted = (ids: number[], threadId: number) => {
    const muted = new Set(
      all<{ id: number }>(
        db,
        `SELECT member_id AS id FROM thread_subscriptions WHERE thread_id = @threadId AND level = 'muted'`,
        { threadId }
      ).map((r) => r.id)
    );
    return ids.filter((id) => !muted.has(id));
  };

  bus.on('post.created', (e) => {
    const watchers = all<{ id: number }>(
      db,
      `SELECT member_id AS id FROM thread_subscriptions WHERE thread_id = @threadId AND level = 'watching' AND member_id <> @authorId`,
      { threadId: e.threadId, authorId: e.authorId }
    ).map((r) => r.id);
    const quoted = e.quotedAuthorId !== null && e.quotedAuthorId !== e.authorId ? e.quotedAuthorId : null;
    const audience = readersAmong(
      db,
      notMuted([...new Set([...watchers, ...(quoted ? [quoted] : [])])], e.threadId),
      e.categoryId
    );
    const data: NotificationData = {
      actor: person(e.authorId),
      threadId: e.threadId,
      threadTitle: e.threadTitle,
      postId: e.postId,
      postNumber: e.number,
      categoryId: e.categoryId,
      excerpt: e.excerpt
    };
    return persist(
      audience.map((memberId) => ({
        memberId,
        kind: memberId === quoted ? 'quote' : 'reply',
        data,
        threadId: e.threadId,
        postNumber: e.number
      }))
    );
  });

  bus.on('member.mentioned', (e) => {
    const number = postNumber(e.postId);
    if (number === null || notMuted([e.memberId], e.threadId).length === 0) return;
    if (readersAmong(db, [e.memberId], e.categoryId).length === 0) return;
    return persist([
      {
        memberId: e.memberId,
        kind: 'mention',
        data: {
          actor: person(e.byMemberId),
          threadId: e.threadId,
          threadTitle: threadTitle(e.threadId),
          postId: e.postId,
          postNumber: number,
          categoryId: e.categoryId,
          excerpt: postText(e.postId)
        },
        threadId: e.threadId,
        postNumber: number
      }
    ]);
  });

  bus.on('post.reacted', (e) => {
    if (e.authorId === e.reactorId || readersAmong(db, [e.authorId], e.categoryId).length === 0) return;
    const number = postNumber(e.postId);
    return persist([
      {
        memberId: e.authorId,
        kind: 'reaction',
        data: {
          actors: [person(e.reactorId)],
          count: 1,
          threadId: e.threadId,
          threadTitle: threadTitle(e.threadId),
          postId: e.postId,
          postNumber: number ?? undefined,
          categoryId: e.categoryId
        },
        groupKey: `reaction:${e.postId}`,
        threadId: e.threadId,
        postNumber: number
      }
    ]);
  });

  bus.on('thread.created', (e) => {
    const watchers = all<{ id: number }>(
      db,
      `SELECT member_id AS id FROM category_subscriptions WHERE category_id = @categoryId AND level = 'watching' AND member_id <> @authorId`,
      { categoryId: e.categoryId, authorId: e.authorId }
    ).map((r) => r.id);
    const categoryName = get<{ name: string }>(db, 'SELECT name FROM categories WHERE id = @id', { id: e.categoryId })?.name;
    const data: NotificationData = {
      actor: person(e.authorId),
      threadId: e.threadId,
      threadTitle: e.title,
      postId: e.postId,
      postNumber: 1,
      categoryId: e.categoryId,
      categoryName,
      excerpt: e.excerpt
    };
    return persist(
      readersAmong(db, watchers, e.categoryId).map((memberId) => ({
        memberId,
        kind: 'new_thread',
        data,
        threadId: e.threadId,
        postNumber: 1
      }))
    );
  });

  bus.on('moderation.outcome', (e) => {
    const number = postNumber(e.postId);
    const base: NotificationData = {
      outcome: e.outcome,
      threadId: e.threadId,
      threadTitle: threadTitle(e.threadId),
      postId: e.postId,
      postNumber: number ?? undefined,
      categoryId: e.categoryId
    };
    // A dismissed flag is news to those who flagged, not to the author.
    const author = e.outcome !== 'dismiss' && e.authorId !== e.moderatorId ? [e.authorId] : [];
    const flaggers = e.flaggerIds.filter((id) => id !== e.moderatorId && id !== e.authorId);
    const readers = new Set(readersAmong(db, [...author, ...flaggers], e.categoryId));
    const drafts: Draft[] = [];
    for (const memberId of author.filter((id) => readers.has(id))) {
      drafts.push({
        memberId,
        kind: 'moderation_outcome',
        data: { ...base, as: 'author', message: e.message },
        threadId: e.threadId,
        postNumber: number
      });
    }
    for (const memberId of flaggers.filter((id) => readers.has(id))) {
      drafts.push({
        memberId,
        kind: 'moderation_outcome',
        data: { ...base, as: 'flagger' },
        threadId: e.threadId,
        postNumber: number
      });
    }
    return persist(drafts);
  });

  // Membership requests wait for those who may decide them: admins, and the coordinator of the task force named.
  const reviewersOf = (taskForceId: number | null) => {
    const candidates = all<{ id: number }>(
      db,
      `SELECT id FROM members WHERE status = 'active' AND role IN ('admin', 'coordinator')`
    ).map((r) => r.id);
    return memberActors(deps, candidates)
      .filter((actor) => can(actor, 'membershipRequest.decide', { taskForceId }))
      .map((a) => a.id);
  };
  const requestWaiting = (requestId: number, taskForceId: number | null, responded: boolean) => {
    const request = get<{ fullName: string; taskForceName: string | null }>(
      db,
      `SELECT r.full_name AS fullName, tf.name AS taskForceName FROM membership_requests r
       LEFT JOIN task_forces tf ON tf.id = r.task_force_id WHERE r.id = @requestId`,
      { requestId }
    );
    if (!request) return;
    const data: NotificationData = {
      requestId,
      applicantName: request.fullName,
      taskForceName: request.taskForceName,
      responded
    };
    return persist(
      reviewersOf(taskForceId).map((memberId) => ({
        memberId,
        kind: 'membership_request',
        data,
        groupKey: `membership_request:${requestId}`
      }))
    );
  };
  bus.on('membership.submitted', (e) => requestWaiting(e.requestId, e.taskForceId, false));
  bus.on('membership.applicant_responded', (e) => requestWaiting(e.requestId, e.taskForceId, true));

  bus.on('membership.decided', (e) => {
    // Decided by one reviewer: it no longer waits for the others.
    const read = markGroupRead(db, `membership_request:${e.requestId}`, deps.clock.now());
    for (const memberId of new Set(read.map((r) => r.memberId))) {
      bus.publish({ type: 'notifications.read', memberId, ids: read.filter((r) => r.memberId === memberId).map((r) => r.id) });
    }
    // The applicant has an account only once approved (pending until activation): they find this on first sign-in.
    if (e.decision === 'approved' && e.memberId !== null) {
      return persist([{ memberId: e.memberId, kind: 'membership_decided', data: { requestId: e.requestId } }]);
    }
  });

  bus.on('member.access_expiring', (e) =>
    persist([{ memberId: e.memberId, kind: 'access_expiring', data: { endsAt: e.endsAt, daysLeft: e.daysLeft } }])
  );

  // Suggestions board: the author and the voters hear of a status change (server/modules/suggestions/notify.ts).
  bus.on('suggestion.status_changed', (e) => persist(suggestionStatusDrafts(db, e)));

  // Direct messages (direct_message, message_moderation): their audience is the conversation's two members.
  subscribeMessageNotifications(bus, deps);

  // Text taken away from a post is taken out of the notifications (and so out of pending e-mail) too.
  for (const type of ['post.hidden', 'post.deleted', 'post.purged'] as const) {
    bus.on(type, (e) => void forgetExcerpt(db, e.threadId, e.postId));
  }
}
