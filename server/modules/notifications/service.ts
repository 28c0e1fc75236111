import type { EmailPreference } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { Invalid, NotFound } from '../../shared/errors.ts';
import { all, run } from '../discussions/sql.ts';
import { unreadMessageTotal } from '../messages/store.ts';
import { directMessageGroup, KINDS, kindsFor, type KindSpec, type NotificationKind } from './kinds.ts';
import { presentNotification } from './present.ts';
import {
  emailPreference,
  lastId,
  listPage,
  markAllRead,
  markOneRead,
  markThreadRead,
  unreadCount,
  visibleById
} from './store.ts';

export const PAGE_SIZE = 20;
const NOT_FOUND = 'That notification was not found.';

/**
 * The schemas bound these numbers, but the validator lets "Infinity" and 1e400 through as numbers
 * (coercion yields Infinity, which passes its integer and range checks): refuse them here.
 */
export function wholeNumber(value: number | undefined, field: string): number | undefined {
  if (value === undefined || Number.isSafeInteger(value)) return value;
  throw new Invalid(`${field}: must be a whole number.`, { [field]: 'Must be a whole number.' });
}

/** The member's notifications, newest first (keyset pages by id), with the unread count and the cursor for the socket. */
export function listNotifications(ctx: Ctx, query: { before?: number; limit?: number; unread?: boolean }) {
  authorize(ctx.actor, 'notifications.use');
  const limit = wholeNumber(query.limit, 'limit') ?? PAGE_SIZE;
  const before = wholeNumber(query.before, 'before');
  const rows = listPage(ctx.db, ctx.actor, { before, limit: limit + 1, unread: query.unread === true });
  const shown = rows.slice(0, limit);
  return {
    notifications: shown.map(presentNotification),
    /** Ask with before=<next> for the following page; null on the last one. */
    next: rows.length > limit ? (shown[shown.length - 1]?.id ?? null) : null,
    unreadCount: unreadCount(ctx.db, ctx.actor),
    /** Connect the socket with ?after=<lastId> so nothing between this list and the socket is missed. */
    lastId: lastId(ctx.db, ctx.actor.id)
  };
}

export function getUnreadCount(ctx: Ctx) {
  authorize(ctx.actor, 'notifications.use');
  return {
    unreadCount: unreadCount(ctx.db, ctx.actor),
    lastId: lastId(ctx.db, ctx.actor.id),
    /** Unread direct messages (the nav's "Messages (N unread)"): loaded with the bell, no extra call per page. */
    messages: unreadMessageTotal(ctx.db, ctx.actor.id)
  };
}

/** Reading a conversation reads its "X sent you N messages" notice (grouped per conversation). */
export function markMessagesNotificationRead(ctx: Ctx, conversationId: number): number[] {
  if (!ctx.actor) return [];
  const ids = all<{ id: number }>(
    ctx.db,
    `UPDATE notifications SET read_at = @now WHERE member_id = @me AND group_key = @groupKey AND read_at IS NULL RETURNING id`,
    { me: ctx.actor.id, groupKey: directMessageGroup(conversationId), now: ctx.clock.now() }
  ).map((r) => r.id);
  if (ids.length > 0) ctx.bus.publish({ type: 'notifications.read', memberId: ctx.actor.id, ids });
  return ids;
}

export function markNotificationRead(ctx: Ctx, id: number) {
  authorize(ctx.actor, 'notifications.use');
  wholeNumber(id, 'id');
  const row = visibleById(ctx.db, ctx.actor, id);
  if (!row) throw new NotFound(NOT_FOUND);
  const now = ctx.clock.now();
  const changed = markOneRead(ctx.db, ctx.actor.id, id, now);
  if (changed) ctx.bus.publish({ type: 'notifications.read', memberId: ctx.actor.id, ids: [id] });
  return { id, readAt: changed ? now : row.readAt, unreadCount: unreadCount(ctx.db, ctx.actor) };
}

/** Everything up to `upTo` (the newest id the member saw; default: all), so one arriving meanwhile stays unread. */
export function markAllNotificationsRead(ctx: Ctx, upTo?: number) {
  authorize(ctx.actor, 'notifications.use');
  const marked = markAllRead(ctx.db, ctx.actor.id, wholeNumber(upTo, 'upTo') ?? Number.MAX_SAFE_INTEGER, ctx.clock.now());
  if (marked > 0) ctx.bus.publish({ type: 'notifications.read', memberId: ctx.actor.id, ids: null });
  return { marked, unreadCount: unreadCount(ctx.db, ctx.actor) };
}

/**
 * Reading the target marks it read: the thread page reports how far the member has read
 * (discussions' markRead), and every notification about those posts is read with it.
 * The caller has already checked that the member may read the thread.
 */
export function markReadForThread(ctx: Ctx, threadId: number, upToNumber: number): number[] {
  if (!ctx.actor) return [];
  const ids = markThreadRead(ctx.db, ctx.actor.id, threadId, upToNumber, ctx.clock.now());
  if (ids.length > 0) ctx.bus.publish({ type: 'notifications.read', memberId: ctx.actor.id, ids });
  return ids;
}

export function getPreferences(ctx: Ctx) {
  authorize(ctx.actor, 'notifications.use');
  const actor = ctx.actor;
  return {
    preferences: kindsFor(actor).map((kind) => {
      const spec: KindSpec = KINDS[kind];
      return {
        kind,
        label: spec.label,
        description: spec.description,
        email: emailPreference(ctx.db, actor.id, kind),
        defaultEmail: spec.defaultEmail
      };
    }),
    /** In-app notifications are always kept; these are the e-mail choices. */
    emailChoices: ['immediate', 'daily', 'weekly', 'off'] as EmailPreference[]
  };
}

/** Set the e-mail choice of some kinds (the others keep theirs). */
export function setPreferences(ctx: Ctx, preferences: Partial<Record<NotificationKind, EmailPreference>>) {
  authorize(ctx.actor, 'notifications.use');
  const actor = ctx.actor;
  const allowed = new Set<string>(kindsFor(actor));
  const refused = Object.keys(preferences).filter((k) => !allowed.has(k));
  if (refused.length > 0) {
    throw new Invalid(
      'You do not receive that kind of notification.',
      Object.fromEntries(refused.map((k) => [k, 'Not a notification you receive.']))
    );
  }
  const now = ctx.clock.now();
  ctx.db.transaction((tx) => {
    for (const [kind, email] of Object.entries(preferences)) {
      run(
        tx,
        `INSERT INTO notification_preferences (member_id, kind, email, updated_at) VALUES (@me, @kind, @email, @now)
         ON CONFLICT (member_id, kind) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at`,
        { me: actor.id, kind, email, now }
      );
    }
  });
  return getPreferences(ctx);
}
