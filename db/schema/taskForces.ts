import { sqliteTable, integer, text } from 'drizzle-orm/sqlite-core';

/** An ECM task force. Members belong to one; access ends at its grant end date. */
export const taskForces = sqliteTable('task_forces', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  /** Two-letter state codes, JSON array. */
  states: text('states', { mode: 'json' }).$type<string[]>().notNull(),
  leadAgency: text('lead_agency').notNull(),
  /** How the task force describes its area ("Harris County and the Houston metro"), shown on its page. */
  region: text('region').notNull().default(''),
  /** A short public description for its page (plain text). */
  description: text('description').notNull().default(''),
  /** UTC ms of the grant end; null = no end date recorded. */
  grantEndsAt: integer('grant_ends_at'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull()
});
