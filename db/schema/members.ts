import { sqliteTable, integer, text, index } from 'drizzle-orm/sqlite-core';
import { taskForces } from './taskForces.ts';

export const ROLES = ['member', 'coordinator', 'moderator', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * pending: approved, activation not finished; active; suspended (by an admin);
 * expired (task-force grant ended); disabled (unused for too long).
 */
export const MEMBER_STATUSES = ['pending', 'active', 'suspended', 'expired', 'disabled'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

export const DISCIPLINES = ['law_enforcement', 'prosecution', 'victim_services', 'task_force_coordination', 'other'] as const;
export type Discipline = (typeof DISCIPLINES)[number];

export const members = sqliteTable(
  'members',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    email: text('email').notNull().unique(),
    name: text('name').notNull(),
    agency: text('agency').notNull().default(''),
    jobTitle: text('job_title').notNull().default(''),
    discipline: text('discipline').$type<Discipline>().notNull().default('other'),
    taskForceId: integer('task_force_id').references(() => taskForces.id),
    role: text('role').$type<Role>().notNull().default('member'),
    status: text('status').$type<MemberStatus>().notNull().default('pending'),
    passwordHash: text('password_hash'),
    /** AES-GCM encrypted TOTP key (base64), set once enrolment is confirmed. */
    totpKey: text('totp_key'),
    /** Encrypted key waiting for its first code during enrolment. */
    totpPendingKey: text('totp_pending_key'),
    /** Highest TOTP time step accepted: a code is never accepted twice. */
    totpLastStep: integer('totp_last_step').notNull().default(0),
    mfaEnabledAt: integer('mfa_enabled_at'),
    noticeAcceptedAt: integer('notice_accepted_at'),
    /** An admin's extension past the task force's grant end (UTC ms). */
    accessExtendedUntil: integer('access_extended_until'),
    failedSignIns: integer('failed_sign_ins').notNull().default(0),
    firstFailedAt: integer('first_failed_at'),
    lockedUntil: integer('locked_until'),
    lastActiveAt: integer('last_active_at'),
    expiryNotice30At: integer('expiry_notice_30_at'),
    expiryNotice7At: integer('expiry_notice_7_at'),
    statusReason: text('status_reason'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [index('members_task_force_idx').on(t.taskForceId), index('members_status_idx').on(t.status)]
);

export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: integer('used_at')
  },
  (t) => [index('recovery_codes_member_idx').on(t.memberId)]
);
