import { asc, eq, sql } from 'drizzle-orm';
import { members, taskForces } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { Conflict, Invalid, NotFound } from '../../shared/errors.ts';
import { recordAudit } from '../audit/record.ts';

export const US_STATES = [
  'AL',
  'AK',
  'AZ',
  'AR',
  'CA',
  'CO',
  'CT',
  'DE',
  'DC',
  'FL',
  'GA',
  'HI',
  'ID',
  'IL',
  'IN',
  'IA',
  'KS',
  'KY',
  'LA',
  'ME',
  'MD',
  'MA',
  'MI',
  'MN',
  'MS',
  'MO',
  'MT',
  'NE',
  'NV',
  'NH',
  'NJ',
  'NM',
  'NY',
  'NC',
  'ND',
  'OH',
  'OK',
  'OR',
  'PA',
  'RI',
  'SC',
  'SD',
  'TN',
  'TX',
  'UT',
  'VT',
  'VA',
  'WA',
  'WV',
  'WI',
  'WY',
  'PR',
  'GU',
  'VI',
  'AS',
  'MP'
] as const;

export interface TaskForceInput {
  name: string;
  states: string[];
  leadAgency: string;
  grantEndsAt: number | null;
  /** Omitted on update: unchanged. */
  region?: string;
  description?: string;
}

/** The public list applicants choose from: names and states only. */
export function taskForceOptions(ctx: Ctx) {
  return ctx.db
    .select({ id: taskForces.id, name: taskForces.name, states: taskForces.states })
    .from(taskForces)
    .orderBy(asc(taskForces.name))
    .all();
}

export function listTaskForces(ctx: Ctx) {
  authorize(ctx.actor, 'taskForces.manage');
  return ctx.db
    .select({
      id: taskForces.id,
      name: taskForces.name,
      states: taskForces.states,
      leadAgency: taskForces.leadAgency,
      region: taskForces.region,
      description: taskForces.description,
      grantEndsAt: taskForces.grantEndsAt,
      memberCount: sql<number>`(SELECT count(*) FROM ${members} WHERE ${members.taskForceId} = ${taskForces.id})`
    })
    .from(taskForces)
    .orderBy(asc(taskForces.name))
    .all();
}

function validate(input: TaskForceInput): TaskForceInput {
  const states = [...new Set(input.states.map((s) => s.toUpperCase()))];
  const unknown = states.filter((s) => !(US_STATES as readonly string[]).includes(s));
  if (unknown.length) throw new Invalid(`Unknown state code: ${unknown.join(', ')}.`, { states: 'Use two-letter state codes.' });
  if (states.length === 0) throw new Invalid('Choose at least one state.', { states: 'Choose at least one state.' });
  return {
    ...input,
    name: input.name.trim(),
    leadAgency: input.leadAgency.trim(),
    states,
    ...(input.region !== undefined ? { region: input.region.replace(/\s+/g, ' ').trim() } : {}),
    ...(input.description !== undefined ? { description: input.description.replace(/\r\n?/g, '\n').trim() } : {})
  };
}

function nameTaken(ctx: Ctx, name: string, exceptId?: number): boolean {
  const existing = ctx.db
    .select({ id: taskForces.id })
    .from(taskForces)
    .where(sql`lower(${taskForces.name}) = lower(${name})`)
    .get();
  return existing !== undefined && existing.id !== exceptId;
}

export function createTaskForce(ctx: Ctx, raw: TaskForceInput): { id: number } {
  authorize(ctx.actor, 'taskForces.manage');
  const input = validate(raw);
  if (nameTaken(ctx, input.name)) throw new Conflict('A task force with this name already exists.');
  const now = ctx.clock.now();
  return ctx.db.transaction((tx) => {
    const created = tx
      .insert(taskForces)
      .values({ ...input, createdAt: now, updatedAt: now })
      .returning({ id: taskForces.id })
      .get();
    recordAudit(tx, ctx, {
      action: 'task_force.created',
      targetType: 'task_force',
      targetId: created.id,
      detail: { name: input.name }
    });
    return created;
  });
}

export function updateTaskForce(ctx: Ctx, id: number, raw: TaskForceInput): void {
  authorize(ctx.actor, 'taskForces.manage');
  const existing = ctx.db.select().from(taskForces).where(eq(taskForces.id, id)).get();
  if (!existing) throw new NotFound('That task force was not found.');
  const input = validate(raw);
  if (nameTaken(ctx, input.name, id)) throw new Conflict('A task force with this name already exists.');
  ctx.db.transaction((tx) => {
    tx.update(taskForces)
      .set({ ...input, updatedAt: ctx.clock.now() })
      .where(eq(taskForces.id, id))
      .run();
    recordAudit(tx, ctx, {
      action: 'task_force.updated',
      targetType: 'task_force',
      targetId: id,
      detail: { name: input.name, grantEndsAt: input.grantEndsAt, previousGrantEndsAt: existing.grantEndsAt }
    });
  });
}
