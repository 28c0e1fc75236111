import { and, eq, inArray, isNotNull, lt, ne, or, sql } from 'drizzle-orm';
import { members, signInChallenges, sessions, taskForces, tokens } from '../../db/schema/index.ts';
import type { Deps } from '../context.ts';
import type { DomainEvent } from '../events/types.ts';
import { DAY } from '../shared/clock.ts';
import { recordAudit } from '../modules/audit/record.ts';
import { revokeAllOf } from '../modules/auth/sessions.ts';

export interface AccessJobReport {
  reminded30: number;
  reminded7: number;
  expired: number;
  disabled: number;
  purgedSessions: number;
}

/**
 * The daily access job (idempotent; it runs hourly so a restart never skips a day):
 * reminders 30 and 7 days before access ends, expiry at the task force's grant end (unless an
 * admin extended it), disabling after INACTIVITY_DISABLE_DAYS unused, and purging dead sessions.
 */
export function runAccessJob(deps: Deps): AccessJobReport {
  const now = deps.clock.now();
  const ctx = { actor: null, ip: 'system', userAgent: 'access-job', clock: deps.clock };
  const report: AccessJobReport = { reminded30: 0, reminded7: 0, expired: 0, disabled: 0, purgedSessions: 0 };
  const events: DomainEvent[] = [];

  const candidates = deps.db
    .select({
      id: members.id,
      email: members.email,
      name: members.name,
      taskForceId: members.taskForceId,
      accessExtendedUntil: members.accessExtendedUntil,
      grantEndsAt: taskForces.grantEndsAt,
      notice30: members.expiryNotice30At,
      notice7: members.expiryNotice7At
    })
    .from(members)
    .leftJoin(taskForces, eq(taskForces.id, members.taskForceId))
    .where(
      and(
        inArray(members.status, ['active', 'pending']),
        or(isNotNull(members.accessExtendedUntil), isNotNull(taskForces.grantEndsAt))
      )
    )
    .all();

  // The coordinators of the member's task force, other than the member (a coordinator gets one mail about themselves).
  const coordinatorEmails = (taskForceId: number | null, memberId: number) =>
    taskForceId === null
      ? []
      : deps.db
          .select({ email: members.email })
          .from(members)
          .where(
            and(
              eq(members.taskForceId, taskForceId),
              eq(members.role, 'coordinator'),
              eq(members.status, 'active'),
              ne(members.id, memberId)
            )
          )
          .all()
          .map((c) => c.email);

  const remind = (
    m: (typeof candidates)[number],
    endsAt: number,
    sent: Partial<Pick<typeof members.$inferInsert, 'expiryNotice7At' | 'expiryNotice30At'>>
  ) => {
    deps.db.update(members).set(sent).where(eq(members.id, m.id)).run();
    events.push({
      type: 'member.access_expiring',
      memberId: m.id,
      email: m.email,
      name: m.name,
      endsAt,
      daysLeft: Math.ceil((endsAt - now) / DAY),
      coordinatorEmails: coordinatorEmails(m.taskForceId, m.id)
    });
  };

  for (const m of candidates) {
    const endsAt = m.accessExtendedUntil ?? m.grantEndsAt;
    if (endsAt === null) continue;
    const left = endsAt - now;
    if (left <= 0) {
      const sessionIds = deps.db.transaction((tx) => {
        tx.update(members)
          .set({ status: 'expired', statusReason: 'grant period ended', updatedAt: now })
          .where(eq(members.id, m.id))
          .run();
        recordAudit(tx, ctx, {
          action: 'member.expired',
          actorId: null,
          actorEmail: null,
          targetType: 'member',
          targetId: m.id,
          detail: { endsAt }
        });
        return revokeAllOf(tx, m.id);
      });
      events.push({ type: 'member.access_ended', memberId: m.id, email: m.email, name: m.name, reason: 'expired' });
      events.push({ type: 'session.revoked', memberId: m.id, sessionIds });
      report.expired++;
    } else if (left <= 7 * DAY && m.notice7 === null) {
      remind(m, endsAt, { expiryNotice7At: now, expiryNotice30At: m.notice30 ?? now });
      report.reminded7++;
    } else if (left <= 30 * DAY && left > 7 * DAY && m.notice30 === null) {
      remind(m, endsAt, { expiryNotice30At: now });
      report.reminded30++;
    }
  }

  const inactiveBefore = now - deps.config.inactivityDisableDays * DAY;
  const inactive = deps.db
    .select({ id: members.id, email: members.email, name: members.name })
    .from(members)
    .where(and(eq(members.status, 'active'), lt(sql`coalesce(${members.lastActiveAt}, ${members.createdAt})`, inactiveBefore)))
    .all();
  for (const m of inactive) {
    const sessionIds = deps.db.transaction((tx) => {
      tx.update(members).set({ status: 'disabled', statusReason: 'unused', updatedAt: now }).where(eq(members.id, m.id)).run();
      recordAudit(tx, ctx, {
        action: 'member.disabled',
        actorId: null,
        actorEmail: null,
        targetType: 'member',
        targetId: m.id,
        detail: { days: deps.config.inactivityDisableDays }
      });
      return revokeAllOf(tx, m.id);
    });
    events.push({ type: 'member.access_ended', memberId: m.id, email: m.email, name: m.name, reason: 'disabled' });
    events.push({ type: 'session.revoked', memberId: m.id, sessionIds });
    report.disabled++;
  }

  deps.db.transaction((tx) => {
    report.purgedSessions = tx
      .delete(sessions)
      .where(or(lt(sessions.expiresAt, now), lt(sessions.lastSeenAt, now - deps.config.sessionIdleMs)))
      .run().changes;
    tx.delete(signInChallenges).where(lt(signInChallenges.expiresAt, now)).run();
    tx.delete(tokens)
      .where(lt(tokens.expiresAt, now - 7 * DAY))
      .run();
  });

  for (const event of events) deps.bus.publish(event);
  return report;
}
