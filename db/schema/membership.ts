import { sqliteTable, integer, text, index } from 'drizzle-orm/sqlite-core';
import { taskForces } from './taskForces.ts';
import type { Discipline } from './members.ts';

/**
 * unconfirmed: e-mail not yet confirmed (not in the queue); submitted: in the queue;
 * in_review: a reviewer took it; info_requested: waiting for the applicant's answer.
 */
export const REQUEST_STATUSES = ['unconfirmed', 'submitted', 'in_review', 'info_requested', 'approved', 'declined'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const membershipRequests = sqliteTable(
  'membership_requests',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    email: text('email').notNull(),
    fullName: text('full_name').notNull(),
    agency: text('agency').notNull(),
    jobTitle: text('job_title').notNull(),
    discipline: text('discipline').$type<Discipline>().notNull(),
    taskForceId: integer('task_force_id').references(() => taskForces.id),
    supervisorName: text('supervisor_name').notNull(),
    supervisorContact: text('supervisor_contact').notNull(),
    reason: text('reason').notNull(),
    status: text('status').$type<RequestStatus>().notNull().default('unconfirmed'),
    /** The e-mail domain is on the admins' list of known agencies (a flag, never an approval). */
    knownAgency: integer('known_agency', { mode: 'boolean' }).notNull().default(false),
    /** SHA-256 of the applicant's status-link token. */
    statusTokenHash: text('status_token_hash').notNull().unique(),
    /** The same token sealed with SECRET_KEY, so later e-mails can carry the link again. */
    statusTokenSealed: text('status_token_sealed').notNull(),
    confirmedAt: integer('confirmed_at'),
    decidedBy: integer('decided_by'),
    decidedAt: integer('decided_at'),
    declineReason: text('decline_reason'),
    memberId: integer('member_id'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [
    index('membership_requests_queue_idx').on(t.status, t.confirmedAt, t.id),
    index('membership_requests_email_idx').on(t.email)
  ]
);

export const membershipRequestMessages = sqliteTable(
  'membership_request_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    requestId: integer('request_id')
      .notNull()
      .references(() => membershipRequests.id, { onDelete: 'cascade' }),
    author: text('author').$type<'reviewer' | 'applicant'>().notNull(),
    authorMemberId: integer('author_member_id'),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull()
  },
  (t) => [index('membership_request_messages_request_idx').on(t.requestId)]
);
