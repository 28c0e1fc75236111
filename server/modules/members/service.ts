import { and, asc, eq, gt, like, or, sql } from 'drizzle-orm';
import { members, taskForces, ROLES, type MemberStatus, type Role } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { Conflict, Invalid, NotFound } from '../../shared/errors.ts';
import { recordAudit } from '../audit/record.ts';
import { revokeAllOf } from '../auth/sessions.ts';

/** The admin's member list, keyset-paged by id. */
export function listMembers(ctx: Ctx, query: { q?: string; status?: MemberStatus; role?: Role; after?: number; limit?: number }) {
  authorize(ctx.actor, 'members.manage');
  const limit = query.limit ?? 50;
  const q = query.q?.trim();
  const rows = ctx.db
    .select({
      id: members.id,
      name: members.name,
      email: members.email,
      agency: members.agency,
      role: members.role,
      status: members.status,
      taskForceId: members.taskForceId,
      taskForceName: taskForces.name,
      mfaEnabled: sql<boolean>`${members.mfaEnabledAt} IS NOT NULL`,
      lockedUntil: members.lockedUntil,
      lastActiveAt: members.lastActiveAt,
      accessExtendedUntil: members.accessExtendedUntil,
      grantEndsAt: taskForces.grantEndsAt
    })
    .from(members)
    .leftJoin(taskForces, eq(taskForces.id, members.taskForceId))
    .where(
      and(
        q ? or(like(members.name, `%${q}%`), like(members.email, `%${q}%`), like(members.agency, `%${q}%`)) : undefined,
        query.status ? eq(members.status, query.status) : undefined,
        query.role ? eq(members.role, query.role) : undefined,
        query.after ? gt(members.id, query.after) : undefined
      )
    )
    .orderBy(asc(members.id))
    .limit(limit + 1)
    .all()
    .map((m) => ({ ...m, mfaEnabled: Boolean(m.mfaEnabled), locked: m.lockedUntil !== null && m.lockedUntil > ctx.clock.now() }));
  const page = rows.slice(0, limit);
  return { members: page, next: rows.length > limit ? page[page.length - 1]!.id : null };
}

function load(ctx: Ctx, id: number) {
  const member = ctx.db.select().from(members).where(eq(members.id, id)).get();
  if (!member) throw new NotFound('That member was not found.');
  return member;
}

function notSelf(ctx: Ctx, id: number, what: string): void {
  if (ctx.actor?.id === id) throw new Conflict(`You cannot ${what} your own account; ask another administrator.`);
}

export function changeRole(ctx: Ctx, id: number, input: { role: Role; taskForceId?: number | null }): void {
  authorize(ctx.actor, 'members.manage');
  if (!ROLES.includes(input.role)) throw new Invalid('Unknown role.');
  notSelf(ctx, id, 'change the role of');
  const member = load(ctx, id);
  const taskForceId = input.taskForceId === undefined ? member.taskForceId : input.taskForceId;
  if (input.role === 'coordinator' && taskForceId === null) {
    throw new Invalid('A coordinator coordinates one task force: choose it.', { taskForceId: 'Choose the task force.' });
  }
  if (
    taskForceId !== null &&
    !ctx.db.select({ id: taskForces.id }).from(taskForces).where(eq(taskForces.id, taskForceId)).get()
  ) {
    throw new Invalid('That task force does not exist.', { taskForceId: 'Choose a task force from the list.' });
  }
  ctx.db.transaction((tx) => {
    tx.update(members).set({ role: input.role, taskForceId, updatedAt: ctx.clock.now() }).where(eq(members.id, id)).run();
    recordAudit(tx, ctx, {
      action: 'member.role_changed',
      targetType: 'member',
      targetId: id,
      detail: { from: member.role, to: input.role, taskForceId }
    });
  });
  ctx.bus.publish({ type: 'member.role_changed', memberId: id, from: member.role, to: input.role });
}

export function suspendMember(ctx: Ctx, id: number, reason: string): void {
  authorize(ctx.actor, 'members.manage');
  notSelf(ctx, id, 'suspend');
  const member = load(ctx, id);
  if (member.status === 'suspended') throw new Conflict('This member is already suspended.');
  const sessionIds = ctx.db.transaction((tx) => {
    tx.update(members)
      .set({ status: 'suspended', statusReason: reason.trim(), updatedAt: ctx.clock.now() })
      .where(eq(members.id, id))
      .run();
    recordAudit(tx, ctx, { action: 'member.suspended', targetType: 'member', targetId: id, detail: { reason: reason.trim() } });
    return revokeAllOf(tx, id);
  });
  ctx.bus.publish({ type: 'member.suspended', memberId: id });
  ctx.bus.publish({ type: 'session.revoked', memberId: id, sessionIds });
}

/** Suspended, expired or disabled members come back as they were (or pending if never activated). */
export function reinstateMember(ctx: Ctx, id: number): void {
  authorize(ctx.actor, 'members.manage');
  const member = load(ctx, id);
  if (member.status === 'active' || member.status === 'pending')
    throw new Conflict('This member is not suspended, expired or disabled.');
  const now = ctx.clock.now();
  ctx.db.transaction((tx) => {
    tx.update(members)
      .set({ status: member.noticeAcceptedAt ? 'active' : 'pending', statusReason: null, lastActiveAt: now, updatedAt: now })
      .where(eq(members.id, id))
      .run();
    recordAudit(tx, ctx, { action: 'member.reinstated', targetType: 'member', targetId: id, detail: { from: member.status } });
  });
  ctx.bus.publish({ type: 'member.reinstated', memberId: id });
}

export function unlockMember(ctx: Ctx, id: number): void {
  authorize(ctx.actor, 'members.manage');
  load(ctx, id);
  ctx.db.transaction((tx) => {
    tx.update(members).set({ lockedUntil: null, failedSignIns: 0, firstFailedAt: null }).where(eq(members.id, id)).run();
    recordAudit(tx, ctx, { action: 'member.unlocked', targetType: 'member', targetId: id });
  });
}

/** Access past the task force's grant end; the expiry reminders start again from the new date. */
export function extendAccess(ctx: Ctx, id: number, until: number | null): void {
  authorize(ctx.actor, 'members.manage');
  load(ctx, id);
  if (until !== null && until <= ctx.clock.now())
    throw new Invalid('Choose a date in the future.', { until: 'Choose a date in the future.' });
  ctx.db.transaction((tx) => {
    tx.update(members)
      .set({ accessExtendedUntil: until, expiryNotice30At: null, expiryNotice7At: null, updatedAt: ctx.clock.now() })
      .where(eq(members.id, id))
      .run();
    recordAudit(tx, ctx, { action: 'member.access_extended', targetType: 'member', targetId: id, detail: { until } });
  });
}
