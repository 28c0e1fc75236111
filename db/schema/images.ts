import { sqliteTable, integer, text, index } from 'drizzle-orm/sqlite-core';
import { members } from './members.ts';

/**
 * Pictures members and editors upload (spotlight images, profile photos). Always re-encoded by
 * sharp before they are stored (metadata and GPS dropped), kept in the file store by SHA-256 like
 * resource files, and served from /api/images/:id. The purpose says which rule decides who may see one.
 */
export const IMAGE_PURPOSES = ['spotlight', 'profile'] as const;
export type ImagePurpose = (typeof IMAGE_PURPOSES)[number];

export const images = sqliteTable(
  'images',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    purpose: text('purpose').$type<ImagePurpose>().notNull(),
    sha256: text('sha256').notNull(),
    mimeType: text('mime_type').notNull(),
    size: integer('size').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    uploadedBy: integer('uploaded_by')
      .notNull()
      .references(() => members.id),
    createdAt: integer('created_at').notNull()
  },
  (t) => [index('images_sha_idx').on(t.sha256), index('images_uploader_idx').on(t.uploadedBy, t.createdAt)]
);
