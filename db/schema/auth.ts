import { sqliteTable, integer, text, index } from 'drizzle-orm/sqlite-core';
import { members } from './members.ts';
import { membershipRequests } from './membership.ts';

/** Lucia-style sessions: the id is the SHA-256 (hex) of the token in the cookie. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    /** Absolute end; idle end is lastSeenAt + idle timeout. */
    expiresAt: integer('expires_at').notNull(),
    ip: text('ip').notNull().default(''),
    userAgent: text('user_agent').notNull().default('')
  },
  (t) => [index('sessions_member_idx').on(t.memberId)]
);

/** The step between a correct password and a correct second factor. */
export const signInChallenges = sqliteTable('sign_in_challenges', {
  id: text('id').primaryKey(),
  memberId: integer('member_id')
    .notNull()
    .references(() => members.id, { onDelete: 'cascade' }),
  attempts: integer('attempts').notNull().default(0),
  expiresAt: integer('expires_at').notNull()
});

export const TOKEN_PURPOSES = ['setup', 'email_confirm', 'activation', 'password_reset'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

/** Single-use, expiring tokens sent by mail. Only the SHA-256 is stored. */
export const tokens = sqliteTable(
  'tokens',
  {
    id: text('id').primaryKey(),
    purpose: text('purpose').$type<TokenPurpose>().notNull(),
    memberId: integer('member_id').references(() => members.id, { onDelete: 'cascade' }),
    requestId: integer('request_id').references(() => membershipRequests.id, { onDelete: 'cascade' }),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    createdAt: integer('created_at').notNull()
  },
  (t) => [index('tokens_member_idx').on(t.memberId), index('tokens_request_idx').on(t.requestId)]
);
