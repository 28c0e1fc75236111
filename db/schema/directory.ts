import { sqliteTable, integer, text, index, primaryKey } from 'drizzle-orm/sqlite-core';
import { images } from './images.ts';
import { members } from './members.ts';

/**
 * The member directory. Name, job title, agency, task force and discipline live on `members`; the
 * rest of the profile lives here. Every field has its own visibility: all members, my task force,
 * or staff only (an undercover officer may show agency and role but hide name and photo). The rule
 * that reads these columns is server/policies/directory.ts, in JS and as SQL, used by every door
 * (profile, search, filters, task-force pages, messages).
 */
export const FIELD_VISIBILITIES = ['members', 'task_force', 'staff'] as const;
export type FieldVisibility = (typeof FIELD_VISIBILITIES)[number];

export const PROFILE_FIELDS = [
  'name',
  'photo',
  'jobTitle',
  'agency',
  'taskForce',
  'discipline',
  'state',
  'expertise',
  'languages',
  'bio',
  'contact'
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export const CONTACT_PREFERENCES = ['message', 'email', 'phone'] as const;
export type ContactPreference = (typeof CONTACT_PREFERENCES)[number];

const visibility = (name: string) => text(name).$type<FieldVisibility>().notNull().default('members');

export const memberProfiles = sqliteTable(
  'member_profiles',
  {
    memberId: integer('member_id')
      .primaryKey()
      .references(() => members.id, { onDelete: 'cascade' }),
    photoImageId: integer('photo_image_id').references(() => images.id),
    /** Two-letter state code. */
    state: text('state'),
    bio: text('bio').notNull().default(''),
    languages: text('languages', { mode: 'json' }).$type<string[]>().notNull().default([]),
    preferredContact: text('preferred_contact').$type<ContactPreference>().notNull().default('message'),
    contactEmail: text('contact_email'),
    contactPhone: text('contact_phone'),
    /** Listed in the directory and on the task force's page. */
    listed: integer('listed', { mode: 'boolean' }).notNull().default(true),
    nameVisibility: visibility('name_visibility'),
    photoVisibility: visibility('photo_visibility'),
    jobTitleVisibility: visibility('job_title_visibility'),
    agencyVisibility: visibility('agency_visibility'),
    taskForceVisibility: visibility('task_force_visibility'),
    disciplineVisibility: visibility('discipline_visibility'),
    stateVisibility: visibility('state_visibility'),
    expertiseVisibility: visibility('expertise_visibility'),
    languagesVisibility: visibility('languages_visibility'),
    bioVisibility: visibility('bio_visibility'),
    contactVisibility: visibility('contact_visibility'),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [index('member_profiles_state_idx').on(t.state)]
);

/** Areas of expertise, as tags (lower-cased, trimmed). */
export const memberExpertise = sqliteTable(
  'member_expertise',
  {
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    tag: text('tag').notNull()
  },
  (t) => [primaryKey({ columns: [t.memberId, t.tag] }), index('member_expertise_tag_idx').on(t.tag, t.memberId)]
);
