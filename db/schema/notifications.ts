import { sqliteTable, integer, text, index, primaryKey } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';
import { members } from './members.ts';

/**
 * What a member is told, stored before anything is pushed: the live socket, the list, the unread
 * badge, replay after a reconnect and the e-mails all read these rows.
 *
 * `kind` is a string and `data` JSON, so a new kind is a registry entry in
 * server/modules/notifications/kinds.ts, never a migration of the others.
 */
export const notifications = sqliteTable(
  'notifications',
  {
    /** AUTOINCREMENT: ids only grow, even after deletes, so they are the event ids clients remember. */
    id: integer('id').primaryKey({ autoIncrement: true }),
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    /** Who, what, where: actor(s), target ids, titles; the kind's renderer turns it into words and a link. */
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** Unread rows with the same key are merged into one ("A and 4 others reacted"). */
    groupKey: text('group_key'),
    /** The thread it is about: its category decides who may still see it; reading the thread marks it read. */
    threadId: integer('thread_id'),
    postNumber: integer('post_number'),
    createdAt: integer('created_at').notNull(),
    readAt: integer('read_at'),
    /** The member's e-mail choice for this kind when it was created: immediate, daily, weekly (null: none). */
    emailMode: text('email_mode').$type<EmailMode>(),
    /** pending until the mail job sends it (sent) or finds it read, hidden or out of reach (skipped). */
    emailState: text('email_state').$type<EmailState>()
  },
  (t) => [
    index('notifications_member_idx').on(t.memberId, t.id),
    index('notifications_unread_idx')
      .on(t.memberId, t.id)
      .where(sql`read_at IS NULL`),
    index('notifications_thread_idx')
      .on(t.memberId, t.threadId, t.postNumber)
      .where(sql`thread_id IS NOT NULL`),
    index('notifications_post_idx')
      .on(t.threadId, t.postNumber)
      .where(sql`thread_id IS NOT NULL`),
    index('notifications_group_idx')
      .on(t.memberId, t.groupKey)
      .where(sql`group_key IS NOT NULL AND read_at IS NULL`),
    index('notifications_email_idx')
      .on(t.emailMode, t.createdAt)
      .where(sql`email_state = 'pending'`)
  ]
);

export const EMAIL_MODES = ['immediate', 'daily', 'weekly', 'off'] as const;
/** 'off' is a preference only: a row made under it gets email_mode NULL. */
export type EmailPreference = (typeof EMAIL_MODES)[number];
export type EmailMode = Exclude<EmailPreference, 'off'>;
export type EmailState = 'pending' | 'sent' | 'skipped';

/** A member's e-mail choice per kind; a kind without a row uses the registry's default. In-app is always on. */
export const notificationPreferences = sqliteTable(
  'notification_preferences',
  {
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    email: text('email').$type<EmailPreference>().notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.memberId, t.kind] })]
);
