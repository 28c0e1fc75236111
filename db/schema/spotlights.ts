import { sqliteTable, integer, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';
import { categories, threads } from './discussions.ts';
import { members } from './members.ts';
import { resources } from './resources.ts';
import { taskForces } from './taskForces.ts';

/**
 * The weekly spotlight. One per weekly slot (`week`, the Monday of the slot as YYYY-MM-DD in the
 * publish time zone); `publishAt` is that slot's publish moment in UTC ms, fixed when scheduled.
 * Consent: a member spotlight needs the featured member's approval, a task-force spotlight a
 * coordinator's, of the exact text (`revision`): any edit of the text after approval asks again.
 * The comments thread is opened when it is published (a draft's title never reaches discussions).
 * The full-text index (spotlight_search, FTS5) lives in a custom migration.
 */
export const SPOTLIGHT_KINDS = ['task_force', 'member', 'practice', 'resource', 'partner'] as const;
export type SpotlightKind = (typeof SPOTLIGHT_KINDS)[number];

/** not_needed: no member or task force is featured. */
export const CONSENT_STATES = ['not_needed', 'pending', 'approved', 'changes_requested', 'declined'] as const;
export type ConsentState = (typeof CONSENT_STATES)[number];

export const spotlights = sqliteTable(
  'spotlights',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind').$type<SpotlightKind>().notNull(),
    title: text('title').notNull(),
    summary: text('summary').notNull().default(''),
    /** Markdown as written; images point at /api/images/:id. */
    body: text('body').notNull().default(''),
    bodyHtml: text('body_html').notNull().default(''),
    bodyText: text('body_text').notNull().default(''),
    featuredMemberId: integer('featured_member_id').references(() => members.id),
    featuredTaskForceId: integer('featured_task_force_id').references(() => taskForces.id),
    featuredResourceId: integer('featured_resource_id').references(() => resources.id),
    partnerName: text('partner_name'),
    partnerUrl: text('partner_url'),
    /** Monday of the weekly slot (YYYY-MM-DD, publish time zone); null while unscheduled. */
    week: text('week'),
    publishAt: integer('publish_at'),
    /** Bumped whenever the text a featured member approves changes. */
    revision: integer('revision').notNull().default(1),
    consentState: text('consent_state').$type<ConsentState>().notNull().default('not_needed'),
    /** The revision the current consent state is about. */
    consentRevision: integer('consent_revision'),
    publishedAt: integer('published_at'),
    categoryId: integer('category_id').references(() => categories.id),
    threadId: integer('thread_id').references(() => threads.id),
    authorId: integer('author_id')
      .notNull()
      .references(() => members.id),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    deletedAt: integer('deleted_at')
  },
  (t) => [
    uniqueIndex('spotlights_week_idx')
      .on(t.week)
      .where(sql`deleted_at IS NULL AND week IS NOT NULL`),
    index('spotlights_published_idx').on(t.publishedAt, t.id),
    index('spotlights_due_idx')
      .on(t.publishAt)
      .where(sql`published_at IS NULL AND deleted_at IS NULL`),
    index('spotlights_member_idx').on(t.featuredMemberId),
    index('spotlights_task_force_idx').on(t.featuredTaskForceId)
  ]
);

export const CONSENT_DECISIONS = ['requested', 'approved', 'changes_requested', 'declined'] as const;
export type ConsentDecision = (typeof CONSENT_DECISIONS)[number];

/** Every consent request and answer, for the spotlight's history (the current state is on the row). */
export const spotlightConsents = sqliteTable(
  'spotlight_consents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    spotlightId: integer('spotlight_id')
      .notNull()
      .references(() => spotlights.id),
    revision: integer('revision').notNull(),
    decision: text('decision').$type<ConsentDecision>().notNull(),
    comment: text('comment'),
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id),
    createdAt: integer('created_at').notNull()
  },
  (t) => [index('spotlight_consents_spotlight_idx').on(t.spotlightId, t.id)]
);
