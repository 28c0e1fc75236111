import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog, members, sessions } from '../../db/schema/index.ts';
import { runAccessJob } from '../../server/jobs/access.ts';
import { DAY, HOUR, MINUTE } from '../../server/shared/clock.ts';
import { hashToken } from '../../server/shared/tokens.ts';
import { call, makeApp, type TestApp } from '../support/app.ts';
import { createMember, createTaskForce, memberRow, sessionCookie } from '../support/factories.ts';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.close();
});

async function run(app: TestApp = t) {
  const report = runAccessJob(app.deps);
  await app.deps.bus.idle();
  return report;
}

const mailsTo = (email: string, app: TestApp = t) => app.mails().filter((m) => m.to === email);

/** Keeps a member from being disabled as unused while a test walks months ahead. */
function markActive(id: number, app: TestApp = t) {
  app.db.update(members).set({ lastActiveAt: app.clock.now() }).where(eq(members.id, id)).run();
}

async function signedIn(cookie: string) {
  return (await call(t.app, 'GET', '/api/me', { cookie })).statusCode;
}

describe('grant-period expiry', () => {
  it('reminds at 30 and 7 days, once each, to the member and the active coordinator, then ends access', async () => {
    const start = t.clock.now();
    const tf = createTaskForce(t, { grantEndsAt: start + 40 * DAY });
    const otherTf = createTaskForce(t, { grantEndsAt: null });
    const member = await createMember(t, { taskForceId: tf.id, name: 'Riley Member' });
    const coordinator = await createMember(t, { role: 'coordinator', taskForceId: tf.id });
    const formerCoordinator = await createMember(t, { role: 'coordinator', taskForceId: tf.id, status: 'suspended' });
    const otherCoordinator = await createMember(t, { role: 'coordinator', taskForceId: otherTf.id });
    const aboutMember = (email: string) => mailsTo(email).filter((m) => m.subject.includes('Riley Member'));

    expect((await run()).reminded30).toBe(0);
    expect(mailsTo(member.email)).toHaveLength(0);

    t.clock.advance(10 * DAY);
    const at30 = await run();
    expect(at30.reminded30).toBeGreaterThanOrEqual(1);
    expect(mailsTo(member.email)).toHaveLength(1);
    expect(mailsTo(member.email)[0]!.subject).toMatch(/your access ends in 30 days/);
    expect(mailsTo(member.email)[0]!.text).toContain('2026-02-14');
    expect(aboutMember(coordinator.email)).toHaveLength(1);
    expect(aboutMember(coordinator.email)[0]!.subject).toMatch(/ends in 30 days/);
    expect(mailsTo(formerCoordinator.email)).toHaveLength(0);
    expect(mailsTo(otherCoordinator.email)).toHaveLength(0);

    // The job runs hourly: the same day brings no second reminder.
    t.clock.advance(HOUR);
    const again = await run();
    expect(again).toMatchObject({ reminded30: 0, reminded7: 0 });
    expect(mailsTo(member.email)).toHaveLength(1);
    expect(aboutMember(coordinator.email)).toHaveLength(1);

    t.clock.current = start + 33 * DAY;
    markActive(member.id);
    const at7 = await run();
    expect(at7.reminded7).toBeGreaterThanOrEqual(1);
    expect(mailsTo(member.email)).toHaveLength(2);
    expect(mailsTo(member.email)[1]!.subject).toMatch(/your access ends in 7 days/);
    expect(aboutMember(coordinator.email)).toHaveLength(2);
    t.clock.advance(HOUR);
    expect((await run()).reminded7).toBe(0);
    expect(mailsTo(member.email)).toHaveLength(2);

    t.clock.current = start + 40 * DAY;
    const cookie = sessionCookie(t, member.id);
    expect(await signedIn(cookie)).toBe(200);
    const ended = await run();
    expect(ended.expired).toBeGreaterThanOrEqual(1);
    expect(memberRow(t, member.id).status).toBe('expired');
    expect(await signedIn(cookie)).toBe(401);
    expect(t.db.select().from(sessions).where(eq(sessions.memberId, member.id)).all()).toHaveLength(0);
    const last = mailsTo(member.email).pop()!;
    expect(last.subject).toMatch(/access has ended/);
    expect(last.text).toMatch(/grant period/);
    const audit = t.db.select().from(auditLog).where(eq(auditLog.action, 'member.expired')).all();
    expect(audit.map((a) => a.targetId)).toContain(String(member.id));
    expect(audit.find((a) => a.targetId === String(member.id))).toMatchObject({ actorId: null, ip: 'system' });

    // Expired members are not expired twice.
    t.clock.advance(HOUR);
    expect((await run()).expired).toBe(0);
    expect(mailsTo(member.email).filter((m) => /access has ended/.test(m.subject))).toHaveLength(1);
  });

  it("an admin's extension keeps the member active and restarts the reminders from the new date", async () => {
    const start = t.clock.now();
    const tf = createTaskForce(t, { grantEndsAt: start + 40 * DAY });
    const member = await createMember(t, { taskForceId: tf.id });
    const admin = await createMember(t, { role: 'admin' });

    t.clock.advance(10 * DAY);
    await run();
    expect(mailsTo(member.email)).toHaveLength(1);
    t.clock.current = start + 33 * DAY;
    markActive(member.id);
    await run();
    expect(mailsTo(member.email)).toHaveLength(2);

    const extended = await call(t.app, 'POST', `/api/admin/members/${member.id}/extend-access`, {
      cookie: sessionCookie(t, admin.id),
      body: { until: '2026-06-30' }
    });
    expect(extended.statusCode).toBe(200);
    const newEnd = Date.UTC(2026, 5, 30, 23, 59, 59, 999);
    expect(memberRow(t, member.id)).toMatchObject({
      accessExtendedUntil: newEnd,
      expiryNotice30At: null,
      expiryNotice7At: null
    });

    // Past the grant end: still active, no mail.
    t.clock.current = start + 41 * DAY;
    markActive(member.id);
    const past = await run();
    expect(past.expired).toBe(0);
    expect(memberRow(t, member.id).status).toBe('active');
    expect(mailsTo(member.email)).toHaveLength(2);

    t.clock.current = newEnd - 31 * DAY;
    markActive(member.id);
    await run();
    expect(mailsTo(member.email)).toHaveLength(2);

    t.clock.current = newEnd - 30 * DAY;
    markActive(member.id);
    await run();
    expect(mailsTo(member.email)).toHaveLength(3);
    expect(mailsTo(member.email)[2]!.subject).toMatch(/ends in 30 days/);
    expect(mailsTo(member.email)[2]!.text).toContain('2026-06-30');

    t.clock.current = newEnd - 7 * DAY;
    markActive(member.id);
    await run();
    expect(mailsTo(member.email)).toHaveLength(4);
    expect(mailsTo(member.email)[3]!.subject).toMatch(/ends in 7 days/);

    t.clock.current = newEnd + 1;
    markActive(member.id);
    await run();
    expect(memberRow(t, member.id).status).toBe('expired');
    expect(mailsTo(member.email).pop()!.subject).toMatch(/access has ended/);
  });

  it('never expires a member whose task force has no grant end date, or who has no task force', async () => {
    const tf = createTaskForce(t, { grantEndsAt: null });
    const member = await createMember(t, { taskForceId: tf.id });
    const unattached = await createMember(t, { taskForceId: null });
    for (const days of [30, 200, 400, 2000]) {
      t.clock.current = Date.UTC(2026, 0, 5, 12) + days * DAY;
      markActive(member.id);
      markActive(unattached.id);
      const report = await run();
      expect(report).toMatchObject({ reminded30: 0, reminded7: 0, expired: 0, disabled: 0 });
    }
    expect(memberRow(t, member.id).status).toBe('active');
    expect(memberRow(t, unattached.id).status).toBe('active');
    expect(t.mails()).toHaveLength(0);
  });
});

describe('inactivity', () => {
  function lastActive(id: number, msAgo: number, app: TestApp = t) {
    app.db
      .update(members)
      .set({ lastActiveAt: app.clock.now() - msAgo })
      .where(eq(members.id, id))
      .run();
  }

  it('disables an active member unused for 90 days, and leaves one unused for 89 alone', async () => {
    const idle = await createMember(t);
    const recent = await createMember(t);
    const cookie = sessionCookie(t, idle.id);
    lastActive(idle.id, 90 * DAY + MINUTE);
    lastActive(recent.id, 89 * DAY);

    const report = await run();
    expect(report.disabled).toBe(1);
    expect(memberRow(t, idle.id)).toMatchObject({ status: 'disabled' });
    expect(memberRow(t, recent.id)).toMatchObject({ status: 'active' });
    expect(await signedIn(cookie)).toBe(401);
    const mail = mailsTo(idle.email);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toMatch(/access has ended/);
    expect(mail[0]!.text).toMatch(/not used for 90 days/);
    expect(mailsTo(recent.email)).toHaveLength(0);
    const audit = t.db.select().from(auditLog).where(eq(auditLog.action, 'member.disabled')).all();
    expect(audit).toEqual([expect.objectContaining({ targetId: String(idle.id), actorId: null })]);

    // Suspended members are not "disabled" on top.
    const suspended = await createMember(t, { status: 'suspended' });
    lastActive(suspended.id, 200 * DAY);
    expect((await run()).disabled).toBe(0);
    expect(memberRow(t, suspended.id).status).toBe('suspended');
  });

  it('INACTIVITY_DISABLE_DAYS changes the limit', async () => {
    const short = await makeApp({ env: { INACTIVITY_DISABLE_DAYS: '30' } });
    try {
      expect(short.config.inactivityDisableDays).toBe(30);
      const idle = await createMember(short);
      const recent = await createMember(short);
      lastActive(idle.id, 30 * DAY + MINUTE, short);
      lastActive(recent.id, 29 * DAY, short);
      const report = await run(short);
      expect(report.disabled).toBe(1);
      expect(memberRow(short, idle.id).status).toBe('disabled');
      expect(memberRow(short, recent.id).status).toBe('active');
      expect(mailsTo(idle.email, short)[0]!.text).toMatch(/not used for 30 days/);
    } finally {
      await short.close();
    }
  });
});

/** The sessions table keeps the SHA-256 of the cookie's token. */
const idOf = (cookie: string) => hashToken(cookie.slice(cookie.indexOf('=') + 1));

describe('session clean-up', () => {
  it('purges idle and past-absolute sessions from the table and keeps live ones', async () => {
    const member = await createMember(t);
    const stale = sessionCookie(t, member.id);
    t.clock.advance(31 * MINUTE);
    const live = sessionCookie(t, member.id);
    const overAge = sessionCookie(t, member.id);
    // Push one session past its 12-hour absolute end while it still looks recently used.
    t.db
      .update(sessions)
      .set({ expiresAt: t.clock.now() - 1 })
      .where(eq(sessions.id, idOf(overAge)))
      .run();
    expect(t.db.select().from(sessions).where(eq(sessions.memberId, member.id)).all()).toHaveLength(3);

    const report = await run();
    expect(report.purgedSessions).toBe(2);
    const left = t.db.select().from(sessions).where(eq(sessions.memberId, member.id)).all();
    expect(left.map((s) => s.id)).toEqual([idOf(live)]);
    expect(await signedIn(live)).toBe(200);
    expect(await signedIn(stale)).toBe(401);
    expect(await signedIn(overAge)).toBe(401);
  });
});
