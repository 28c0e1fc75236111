import { sqliteTable, integer, text, index, primaryKey, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import { categories, threads } from './discussions.ts';
import { members } from './members.ts';

/**
 * The suggestions board. One vote per member (retractable); admins set a status with a public
 * note; "already exists" links the original and moves the votes to it. Voting closes on done and
 * declined. Comments are a discussion thread in an attached category. The full-text index
 * (suggestion_search, FTS5: duplicate hints while typing) lives in a custom migration.
 */
export const SUGGESTION_STATUSES = [
  'new',
  'under_review',
  'planned',
  'in_progress',
  'done',
  'declined',
  'already_exists'
] as const;
export type SuggestionStatus = (typeof SUGGESTION_STATUSES)[number];

export const suggestions = sqliteTable(
  'suggestions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    authorId: integer('author_id')
      .notNull()
      .references(() => members.id),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    descriptionHtml: text('description_html').notNull().default(''),
    descriptionText: text('description_text').notNull().default(''),
    status: text('status').$type<SuggestionStatus>().notNull().default('new'),
    statusNote: text('status_note'),
    statusChangedAt: integer('status_changed_at'),
    statusChangedBy: integer('status_changed_by').references(() => members.id),
    duplicateOfId: integer('duplicate_of_id').references((): AnySQLiteColumn => suggestions.id),
    voteCount: integer('vote_count').notNull().default(0),
    categoryId: integer('category_id')
      .notNull()
      .references(() => categories.id),
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    deletedAt: integer('deleted_at')
  },
  (t) => [
    index('suggestions_votes_idx').on(t.voteCount, t.id),
    index('suggestions_created_idx').on(t.createdAt, t.id),
    index('suggestions_status_idx').on(t.status, t.voteCount, t.id),
    index('suggestions_author_idx').on(t.authorId)
  ]
);

export const suggestionVotes = sqliteTable(
  'suggestion_votes',
  {
    suggestionId: integer('suggestion_id')
      .notNull()
      .references(() => suggestions.id),
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.suggestionId, t.memberId] }), index('suggestion_votes_member_idx').on(t.memberId)]
);

/** The public history of status changes, with the admin's note. */
export const suggestionStatusChanges = sqliteTable(
  'suggestion_status_changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    suggestionId: integer('suggestion_id')
      .notNull()
      .references(() => suggestions.id),
    fromStatus: text('from_status').$type<SuggestionStatus>().notNull(),
    toStatus: text('to_status').$type<SuggestionStatus>().notNull(),
    note: text('note'),
    duplicateOfId: integer('duplicate_of_id').references(() => suggestions.id),
    changedBy: integer('changed_by')
      .notNull()
      .references(() => members.id),
    createdAt: integer('created_at').notNull()
  },
  (t) => [index('suggestion_status_changes_idx').on(t.suggestionId, t.id)]
);
