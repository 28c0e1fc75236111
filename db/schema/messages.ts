import { sqliteTable, integer, text, index, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';
import { members } from './members.ts';

/**
 * Direct messages: one-to-one conversations (one per pair of members: memberLow < memberHigh).
 * Messages pass the same privacy guard as posts; either member may flag one, which hides a PII
 * flag at once and puts it in the moderation queue — the only way a moderator ever reads a message.
 */
export const conversations = sqliteTable(
  'conversations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    memberLow: integer('member_low')
      .notNull()
      .references(() => members.id),
    memberHigh: integer('member_high')
      .notNull()
      .references(() => members.id),
    lastMessageId: integer('last_message_id'),
    lastMessageAt: integer('last_message_at'),
    createdAt: integer('created_at').notNull()
  },
  (t) => [uniqueIndex('conversations_pair_idx').on(t.memberLow, t.memberHigh), index('conversations_high_idx').on(t.memberHigh)]
);

/** Each side's reading state (unread = messages from the other side after last_read_message_id). */
export const conversationMembers = sqliteTable(
  'conversation_members',
  {
    conversationId: integer('conversation_id')
      .notNull()
      .references(() => conversations.id),
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    lastReadMessageId: integer('last_read_message_id').notNull().default(0),
    /** Kept in step on send and read, so the badge is one indexed read. */
    unreadCount: integer('unread_count').notNull().default(0),
    lastMessageAt: integer('last_message_at')
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.memberId] }),
    index('conversation_members_inbox_idx').on(t.memberId, t.lastMessageAt)
  ]
);

export const messages = sqliteTable(
  'messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    conversationId: integer('conversation_id')
      .notNull()
      .references(() => conversations.id),
    senderId: integer('sender_id')
      .notNull()
      .references(() => members.id),
    body: text('body').notNull(),
    bodyHtml: text('body_html').notNull(),
    bodyText: text('body_text').notNull(),
    createdAt: integer('created_at').notNull(),
    deletedAt: integer('deleted_at'),
    /** Hidden by a PII flag (at once) or by a moderator. */
    hiddenAt: integer('hidden_at'),
    hiddenReason: text('hidden_reason'),
    purgedAt: integer('purged_at')
  },
  (t) => [index('messages_conversation_idx').on(t.conversationId, t.id)]
);

export const MESSAGE_FLAG_REASONS = ['pii', 'inappropriate', 'harassment', 'other'] as const;
export type MessageFlagReason = (typeof MESSAGE_FLAG_REASONS)[number];

export const messageFlags = sqliteTable(
  'message_flags',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    messageId: integer('message_id')
      .notNull()
      .references(() => messages.id),
    flaggerId: integer('flagger_id')
      .notNull()
      .references(() => members.id),
    reason: text('reason').$type<MessageFlagReason>().notNull(),
    note: text('note'),
    createdAt: integer('created_at').notNull(),
    resolvedAt: integer('resolved_at'),
    resolvedBy: integer('resolved_by').references(() => members.id),
    outcome: text('outcome')
  },
  (t) => [
    uniqueIndex('message_flags_open_idx')
      .on(t.messageId, t.flaggerId)
      .where(sql`resolved_at IS NULL`),
    index('message_flags_queue_idx')
      .on(t.createdAt)
      .where(sql`resolved_at IS NULL`)
  ]
);
