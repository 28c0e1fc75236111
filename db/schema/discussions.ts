import { sqliteTable, integer, text, index, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';
import { members, type Discipline } from './members.ts';
import { taskForces } from './taskForces.ts';

/**
 * Discussions: categories → threads → posts. The full-text index (post_search, FTS5) lives in a
 * custom migration; it is not a drizzle table, so never run drizzle-kit push/pull.
 */

export const ATTACHED_KINDS = ['resources', 'spotlights', 'suggestions'] as const;
export type AttachedKind = (typeof ATTACHED_KINDS)[number];

/** A category is private when it names at least one task force or discipline (its audience). */
export const categories = sqliteTable(
  'categories',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull().unique(),
    description: text('description').notNull().default(''),
    position: integer('position').notNull().default(0),
    /** #rrggbb, as the admin chose it. */
    colour: text('colour').notNull().default('#1f5f8b'),
    /** Kept in step with the audience tables so the read rule is one cheap SQL test. */
    isPrivate: integer('is_private', { mode: 'boolean' }).notNull().default(false),
    /** A resource's comments category (server/modules/resources): never listed or counted among categories. */
    attached: integer('attached', { mode: 'boolean' }).notNull().default(false),
    /** What an attached category holds comments on: 'resources', 'spotlights' or 'suggestions'. */
    attachedKind: text('attached_kind').$type<AttachedKind>(),
    threadCount: integer('thread_count').notNull().default(0),
    postCount: integer('post_count').notNull().default(0),
    lastPostAt: integer('last_post_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [index('categories_position_idx').on(t.position, t.name)]
);

export const categoryTaskForces = sqliteTable(
  'category_task_forces',
  {
    categoryId: integer('category_id')
      .notNull()
      .references(() => categories.id, { onDelete: 'cascade' }),
    taskForceId: integer('task_force_id')
      .notNull()
      .references(() => taskForces.id, { onDelete: 'cascade' })
  },
  (t) => [primaryKey({ columns: [t.categoryId, t.taskForceId] }), index('category_task_forces_tf_idx').on(t.taskForceId)]
);

export const categoryDisciplines = sqliteTable(
  'category_disciplines',
  {
    categoryId: integer('category_id')
      .notNull()
      .references(() => categories.id, { onDelete: 'cascade' }),
    discipline: text('discipline').$type<Discipline>().notNull()
  },
  (t) => [primaryKey({ columns: [t.categoryId, t.discipline] })]
);

export const PIN_SCOPES = ['category', 'global'] as const;
export type PinScope = (typeof PIN_SCOPES)[number];

export const threads = sqliteTable(
  'threads',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    categoryId: integer('category_id')
      .notNull()
      .references(() => categories.id),
    authorId: integer('author_id')
      .notNull()
      .references(() => members.id),
    title: text('title').notNull(),
    firstPostId: integer('first_post_id').notNull().default(0),
    /** Posts are numbered 1, 2, 3… within their thread; unread = lastPostNumber − last read number. */
    lastPostNumber: integer('last_post_number').notNull().default(0),
    /** Posts not deleted (hidden ones count: they still hold their place). */
    postCount: integer('post_count').notNull().default(0),
    lastPostAt: integer('last_post_at').notNull(),
    lastPostAuthorId: integer('last_post_author_id'),
    pinScope: text('pin_scope').$type<PinScope>(),
    pinnedUntil: integer('pinned_until'),
    lockedAt: integer('locked_at'),
    closedAt: integer('closed_at'),
    deletedAt: integer('deleted_at'),
    deletedBy: integer('deleted_by'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [
    index('threads_category_activity_idx').on(t.categoryId, t.lastPostAt, t.id),
    index('threads_activity_idx').on(t.lastPostAt, t.id),
    index('threads_author_idx').on(t.authorId, t.createdAt),
    index('threads_pinned_idx')
      .on(t.pinScope)
      .where(sql`pin_scope IS NOT NULL`)
  ]
);

export const HIDDEN_REASONS = ['pii_flag', 'moderator'] as const;
export type HiddenReason = (typeof HIDDEN_REASONS)[number];

/**
 * Stored clustered by thread: the migration makes this table WITHOUT ROWID with primary key
 * (thread_id, number), so a thread page is one range read. `id` is global (links, FTS rowid).
 * Note for later migrations: drizzle-kit does not know about WITHOUT ROWID; keep it when a change
 * makes drizzle-kit rebuild this table.
 */
export const posts = sqliteTable(
  'posts',
  {
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id),
    number: integer('number').notNull(),
    id: integer('id').notNull(),
    authorId: integer('author_id')
      .notNull()
      .references(() => members.id),
    /** Markdown as written. */
    body: text('body').notNull(),
    /** Rendered and sanitized once, when saved. */
    bodyHtml: text('body_html').notNull(),
    quotePostId: integer('quote_post_id'),
    /** The kinds of personal data the author confirmed were not victim-identifying (JSON), for moderators. */
    privacyConfirmed: text('privacy_confirmed', { mode: 'json' }).$type<string[]>(),
    createdAt: integer('created_at').notNull(),
    editedAt: integer('edited_at'),
    editCount: integer('edit_count').notNull().default(0),
    deletedAt: integer('deleted_at'),
    deletedBy: integer('deleted_by'),
    hiddenAt: integer('hidden_at'),
    hiddenReason: text('hidden_reason').$type<HiddenReason>(),
    purgedAt: integer('purged_at')
  },
  (t) => [
    primaryKey({ columns: [t.threadId, t.number] }),
    uniqueIndex('posts_id_unique').on(t.id),
    index('posts_author_idx').on(t.authorId, t.createdAt),
    index('posts_quote_idx')
      .on(t.quotePostId)
      .where(sql`quote_post_id IS NOT NULL`)
  ]
);

/** Earlier versions of an edited post: visible to its author and moderators only; purge deletes them. */
export const postRevisions = sqliteTable(
  'post_revisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: integer('post_id').notNull(),
    title: text('title'),
    body: text('body').notNull(),
    editedBy: integer('edited_by').notNull(),
    /** When this version was replaced. */
    replacedAt: integer('replaced_at').notNull()
  },
  (t) => [index('post_revisions_post_idx').on(t.postId, t.id)]
);

export const REACTIONS = ['thumbs_up', 'thanks', 'helpful', 'insightful', 'support'] as const;
export type Reaction = (typeof REACTIONS)[number];

export const postReactions = sqliteTable(
  'post_reactions',
  {
    postId: integer('post_id').notNull(),
    kind: text('kind').$type<Reaction>().notNull(),
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.postId, t.kind, t.memberId] })]
);

export const bookmarks = sqliteTable(
  'bookmarks',
  {
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    postId: integer('post_id').notNull(),
    createdAt: integer('created_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.memberId, t.postId] }), index('bookmarks_member_idx').on(t.memberId, t.createdAt, t.postId)]
);

export const threadReads = sqliteTable(
  'thread_reads',
  {
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    threadId: integer('thread_id').notNull(),
    lastReadNumber: integer('last_read_number').notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.memberId, t.threadId] })]
);

export const NOTIFICATION_LEVELS = ['watching', 'normal', 'muted'] as const;
export type NotificationLevel = (typeof NOTIFICATION_LEVELS)[number];

export const threadSubscriptions = sqliteTable(
  'thread_subscriptions',
  {
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    threadId: integer('thread_id').notNull(),
    level: text('level').$type<NotificationLevel>().notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.memberId, t.threadId] }), index('thread_subscriptions_thread_idx').on(t.threadId, t.level)]
);

export const categorySubscriptions = sqliteTable(
  'category_subscriptions',
  {
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    categoryId: integer('category_id')
      .notNull()
      .references(() => categories.id, { onDelete: 'cascade' }),
    level: text('level').$type<NotificationLevel>().notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [
    primaryKey({ columns: [t.memberId, t.categoryId] }),
    index('category_subscriptions_category_idx').on(t.categoryId, t.level)
  ]
);

export const FLAG_REASONS = ['pii', 'off_topic', 'inappropriate', 'other'] as const;
export type FlagReason = (typeof FLAG_REASONS)[number];
export const FLAG_OUTCOMES = ['dismiss', 'hide', 'edit', 'delete', 'warn', 'purge'] as const;
export type FlagOutcome = (typeof FLAG_OUTCOMES)[number];

export const postFlags = sqliteTable(
  'post_flags',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: integer('post_id').notNull(),
    flaggerId: integer('flagger_id')
      .notNull()
      .references(() => members.id),
    reason: text('reason').$type<FlagReason>().notNull(),
    note: text('note'),
    createdAt: integer('created_at').notNull(),
    resolvedAt: integer('resolved_at'),
    resolvedBy: integer('resolved_by'),
    outcome: text('outcome').$type<FlagOutcome>()
  },
  (t) => [
    index('post_flags_open_idx').on(t.resolvedAt, t.createdAt),
    index('post_flags_post_idx').on(t.postId),
    uniqueIndex('post_flags_one_open_per_member')
      .on(t.postId, t.flaggerId)
      .where(sql`resolved_at IS NULL`)
  ]
);

export const DRAFT_KINDS = ['thread', 'category'] as const;
export type DraftKind = (typeof DRAFT_KINDS)[number];

/** The reply being written (kind 'thread') or a new thread being written in a category (kind 'category'). */
export const drafts = sqliteTable(
  'drafts',
  {
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<DraftKind>().notNull(),
    targetId: integer('target_id').notNull(),
    title: text('title'),
    body: text('body').notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.memberId, t.kind, t.targetId] })]
);
