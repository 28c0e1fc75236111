import { sqliteTable, integer, text, index, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';
import { categories, threads } from './discussions.ts';
import { members } from './members.ts';
import { taskForces } from './taskForces.ts';

/**
 * The resource library. A resource's audience is the audience of its comments category (an
 * "attached" category, hidden from category lists): one shared category for resources every member
 * may see, one per private resource with its task forces and disciplines. So the read rule is the
 * discussions read rule, written once, and comments (a thread in that category) follow it for free.
 * The full-text index (resource_search, FTS5) lives in a custom migration.
 */

export const RESOURCE_TYPES = ['protocol', 'template', 'training', 'policy', 'research', 'toolkit', 'other'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];
export const RESOURCE_KINDS = ['file', 'link'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];
/** none: nothing to read (links, images, video, legacy Office files). */
export const EXTRACTION_STATES = ['pending', 'done', 'failed', 'none'] as const;
export type ExtractionState = (typeof EXTRACTION_STATES)[number];

export const resources = sqliteTable(
  'resources',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind').$type<ResourceKind>().notNull(),
    type: text('type').$type<ResourceType>().notNull(),
    title: text('title').notNull(),
    /** Markdown as written. */
    description: text('description').notNull().default(''),
    /** Rendered and sanitized once, when saved. */
    descriptionHtml: text('description_html').notNull().default(''),
    /** Plain text for excerpts (the search index has its own copy). */
    descriptionText: text('description_text').notNull().default(''),
    url: text('url'),
    authorId: integer('author_id')
      .notNull()
      .references(() => members.id),
    originTaskForceId: integer('origin_task_force_id').references(() => taskForces.id),
    /** The comments category, whose audience is the resource's audience. */
    categoryId: integer('category_id')
      .notNull()
      .references(() => categories.id),
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id),
    currentVersionId: integer('current_version_id'),
    downloadCount: integer('download_count').notNull().default(0),
    recommendCount: integer('recommend_count').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    deletedAt: integer('deleted_at'),
    deletedBy: integer('deleted_by')
  },
  (t) => [
    index('resources_created_idx').on(t.createdAt, t.id),
    index('resources_downloads_idx').on(t.downloadCount, t.id),
    index('resources_recommended_idx').on(t.recommendCount, t.id),
    index('resources_type_idx').on(t.type, t.createdAt, t.id),
    index('resources_origin_idx').on(t.originTaskForceId, t.createdAt, t.id),
    index('resources_author_idx').on(t.authorId, t.createdAt),
    index('resources_category_idx').on(t.categoryId)
  ]
);

/** Every uploaded file of a resource; the newest is the resource's current version. */
export const resourceVersions = sqliteTable(
  'resource_versions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    resourceId: integer('resource_id')
      .notNull()
      .references(() => resources.id),
    number: integer('number').notNull(),
    /** The content address in the file store (identical files are stored once). */
    sha256: text('sha256').notNull(),
    size: integer('size').notNull(),
    mimeType: text('mime_type').notNull(),
    typeLabel: text('type_label').notNull(),
    /** Sanitized display name; storage never uses it. */
    fileName: text('file_name').notNull(),
    uploadedBy: integer('uploaded_by')
      .notNull()
      .references(() => members.id),
    createdAt: integer('created_at').notNull(),
    extractionState: text('extraction_state').$type<ExtractionState>().notNull(),
    extractedAt: integer('extracted_at')
  },
  (t) => [
    uniqueIndex('resource_versions_number_idx').on(t.resourceId, t.number),
    index('resource_versions_sha_idx').on(t.sha256),
    index('resource_versions_pending_idx')
      .on(t.id)
      .where(sql`extraction_state = 'pending'`)
  ]
);

export const resourceTags = sqliteTable(
  'resource_tags',
  {
    resourceId: integer('resource_id')
      .notNull()
      .references(() => resources.id),
    tag: text('tag').notNull()
  },
  (t) => [primaryKey({ columns: [t.resourceId, t.tag] }), index('resource_tags_tag_idx').on(t.tag, t.resourceId)]
);

export const resourceRecommendations = sqliteTable(
  'resource_recommendations',
  {
    resourceId: integer('resource_id')
      .notNull()
      .references(() => resources.id),
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.resourceId, t.memberId] })]
);

/** "Report broken link": one open report per member and resource; moderators are notified. */
export const resourceLinkReports = sqliteTable(
  'resource_link_reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    resourceId: integer('resource_id')
      .notNull()
      .references(() => resources.id),
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    note: text('note'),
    createdAt: integer('created_at').notNull(),
    resolvedAt: integer('resolved_at')
  },
  (t) => [
    uniqueIndex('resource_link_reports_open_idx')
      .on(t.resourceId, t.memberId)
      .where(sql`resolved_at IS NULL`)
  ]
);

export const WATCH_KINDS = ['tag', 'type'] as const;
export type WatchKind = (typeof WATCH_KINDS)[number];

/** Members told when a resource with this tag or of this type is shared. */
export const resourceWatches = sqliteTable(
  'resource_watches',
  {
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<WatchKind>().notNull(),
    value: text('value').notNull(),
    createdAt: integer('created_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.memberId, t.kind, t.value] }), index('resource_watches_value_idx').on(t.kind, t.value)]
);
