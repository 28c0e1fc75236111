import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog, members, ROLES, sessions, taskForces } from '../../db/schema/index.ts';
import { DAY, MINUTE } from '../../server/shared/clock.ts';
import { totpCode } from '../../server/shared/totp.ts';
import { call, cookiesFrom, makeApp, type TestApp } from '../support/app.ts';
import { createMember, createTaskForce, memberRow, PASSWORD, sessionCookie, type TestMember } from '../support/factories.ts';
import { base32Decode } from '../support/totp.ts';
import { exportAuditCsv } from '../../server/modules/audit/service.ts';

let t: TestApp;
let boss: TestMember;
let bossCookie: string;
beforeEach(async () => {
  t = await makeApp();
  boss = await createMember(t, { role: 'admin', email: 'alpha.admin@hq.example.gov' });
  bossCookie = sessionCookie(t, boss.id);
});
afterEach(async () => {
  await t.close();
});

const asAdmin = (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) =>
  call(t.app, method, url, { cookie: bossCookie, ...(body !== undefined ? { body } : {}) });

function auditOf(action: string) {
  return t.db.select().from(auditLog).where(eq(auditLog.action, action)).all();
}

const signIn = (email: string, password = PASSWORD) => call(t.app, 'POST', '/api/auth/sign-in', { body: { email, password } });

describe('roles', () => {
  it('lets an admin give any role, and records each change', async () => {
    const tf = createTaskForce(t);
    const member = await createMember(t, { taskForceId: tf.id });
    for (const role of ROLES) {
      const res = await asAdmin('POST', `/api/admin/members/${member.id}/role`, { role, taskForceId: tf.id });
      expect(res.statusCode, role).toBe(200);
      expect(memberRow(t, member.id).role).toBe(role);
    }
    const rows = auditOf('member.role_changed');
    expect(rows).toHaveLength(ROLES.length);
    expect(rows.at(-1)).toMatchObject({
      actorId: boss.id,
      targetId: String(member.id),
      detail: expect.objectContaining({ to: 'admin' })
    });
  });

  it('asks a newly promoted staff member without MFA to enrol before anything else', async () => {
    const member = await createMember(t);
    const cookie = sessionCookie(t, member.id);
    expect((await call(t.app, 'GET', '/api/me', { cookie })).json().member.onboarding).toBeNull();
    expect((await asAdmin('POST', `/api/admin/members/${member.id}/role`, { role: 'moderator' })).statusCode).toBe(200);
    expect((await call(t.app, 'GET', '/api/me', { cookie })).json().member).toMatchObject({
      role: 'moderator',
      onboarding: 'mfa'
    });
    expect((await call(t.app, 'GET', '/api/account/sessions', { cookie })).statusCode).toBe(403);
  });

  it('refuses a coordinator without a task force, unknown roles and task forces, and non-admins', async () => {
    const member = await createMember(t, { taskForceId: null });
    const url = `/api/admin/members/${member.id}/role`;

    const noTaskForce = await asAdmin('POST', url, { role: 'coordinator' });
    expect(noTaskForce.statusCode).toBe(400);
    expect(noTaskForce.json().error.fields).toHaveProperty('taskForceId');
    const explicitNull = await asAdmin('POST', url, { role: 'coordinator', taskForceId: null });
    expect(explicitNull.statusCode).toBe(400);
    expect((await asAdmin('POST', url, { role: 'superuser' })).statusCode).toBe(400);
    const unknownTf = await asAdmin('POST', url, { role: 'member', taskForceId: 999_999 });
    expect(unknownTf.statusCode).toBe(400);
    expect(unknownTf.json().error.fields).toHaveProperty('taskForceId');
    expect((await asAdmin('POST', '/api/admin/members/999999/role', { role: 'member' })).statusCode).toBe(404);

    const tf = createTaskForce(t);
    const coordinator = await createMember(t, { role: 'coordinator', taskForceId: tf.id });
    const byCoordinator = await call(t.app, 'POST', url, {
      cookie: sessionCookie(t, coordinator.id),
      body: { role: 'moderator' }
    });
    expect(byCoordinator.statusCode).toBe(403);
    expect(memberRow(t, member.id)).toMatchObject({ role: 'member', taskForceId: null });
    expect(auditOf('member.role_changed')).toHaveLength(0);
  });

  it('does not let an admin change their own role or suspend themselves', async () => {
    const ownRole = await asAdmin('POST', `/api/admin/members/${boss.id}/role`, { role: 'member' });
    expect(ownRole.statusCode).toBe(409);
    const ownSuspend = await asAdmin('POST', `/api/admin/members/${boss.id}/suspend`, { reason: 'Testing myself.' });
    expect(ownSuspend.statusCode).toBe(409);
    expect(memberRow(t, boss.id)).toMatchObject({ role: 'admin', status: 'active' });
    expect((await asAdmin('GET', '/api/me')).statusCode).toBe(200);
  });
});

describe('suspend, reinstate, unlock', () => {
  it('suspends at once: every session of the member ends, and reinstating lets them sign in again', async () => {
    const member = await createMember(t);
    const phone = sessionCookie(t, member.id);
    const laptop = sessionCookie(t, member.id);
    const events: unknown[] = [];
    t.deps.bus.on('member.suspended', (e) => void events.push(e));
    for (const cookie of [phone, laptop]) expect((await call(t.app, 'GET', '/api/me', { cookie })).statusCode).toBe(200);

    const url = `/api/admin/members/${member.id}/suspend`;
    expect((await asAdmin('POST', url, { reason: 'x' })).statusCode).toBe(400);
    const suspended = await asAdmin('POST', url, { reason: 'Left the agency.' });
    expect(suspended.statusCode).toBe(200);
    await t.deps.bus.idle();

    for (const cookie of [phone, laptop]) expect((await call(t.app, 'GET', '/api/me', { cookie })).statusCode).toBe(401);
    expect(t.db.select().from(sessions).where(eq(sessions.memberId, member.id)).all()).toHaveLength(0);
    expect(memberRow(t, member.id)).toMatchObject({ status: 'suspended', statusReason: 'Left the agency.' });
    expect(events).toEqual([{ type: 'member.suspended', memberId: member.id }]);
    expect(auditOf('member.suspended')).toEqual([
      expect.objectContaining({ actorId: boss.id, targetId: String(member.id), detail: { reason: 'Left the agency.' } })
    ]);
    expect((await asAdmin('POST', url, { reason: 'Again please.' })).statusCode).toBe(409);

    const refused = await signIn(member.email);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/suspended/);

    expect((await asAdmin('POST', `/api/admin/members/${member.id}/reinstate`)).statusCode).toBe(200);
    expect(memberRow(t, member.id)).toMatchObject({ status: 'active', statusReason: null });
    expect(auditOf('member.reinstated')).toHaveLength(1);
    expect((await asAdmin('POST', `/api/admin/members/${member.id}/reinstate`)).statusCode).toBe(409);

    const back = await signIn(member.email);
    expect(back.statusCode).toBe(200);
    expect(back.json()).toEqual({ next: 'home' });
    const me = await call(t.app, 'GET', '/api/me', { cookie: cookiesFrom(back) });
    expect(me.json().member).toMatchObject({ id: member.id, status: 'active' });
  });

  it('unlock clears a lockout', async () => {
    const member = await createMember(t);
    for (let i = 0; i < 5; i++) expect((await signIn(member.email, 'wrong password entirely')).statusCode).toBe(401);
    expect(memberRow(t, member.id).lockedUntil).toBeGreaterThan(t.clock.now());
    expect((await signIn(member.email)).statusCode).toBe(401);
    const listed = await asAdmin('GET', `/api/admin/members?q=${encodeURIComponent(member.email)}`);
    expect(listed.json().members[0]).toMatchObject({ id: member.id, locked: true });

    // Past the per-network sign-in throttle (6 a minute), still inside the 30-minute lockout.
    t.clock.advance(MINUTE + 1000);
    bossCookie = sessionCookie(t, boss.id);
    expect((await asAdmin('POST', `/api/admin/members/${member.id}/unlock`)).statusCode).toBe(200);
    expect(memberRow(t, member.id)).toMatchObject({ lockedUntil: null, failedSignIns: 0 });
    expect(auditOf('member.unlocked')).toEqual([expect.objectContaining({ actorId: boss.id, targetId: String(member.id) })]);
    expect((await signIn(member.email)).statusCode).toBe(200);
  });
});

describe('extend access', () => {
  it('stores the end of the chosen day and refuses impossible or past dates', async () => {
    const member = await createMember(t);
    const url = `/api/admin/members/${member.id}/extend-access`;
    const impossible = await asAdmin('POST', url, { until: '2026-02-31' });
    expect(impossible.statusCode).toBe(400);
    expect(impossible.json().error.fields).toHaveProperty('until');
    expect((await asAdmin('POST', url, { until: '12/31/2026' })).statusCode).toBe(400);
    const past = await asAdmin('POST', url, { until: '2025-12-31' });
    expect(past.statusCode).toBe(400);
    expect(past.json().error.fields).toHaveProperty('until');
    expect(memberRow(t, member.id).accessExtendedUntil).toBeNull();

    expect((await asAdmin('POST', url, { until: '2026-09-30' })).statusCode).toBe(200);
    expect(memberRow(t, member.id).accessExtendedUntil).toBe(Date.UTC(2026, 8, 30, 23, 59, 59, 999));
    expect(auditOf('member.access_extended')).toHaveLength(1);
    expect((await asAdmin('POST', url, { until: null })).statusCode).toBe(200);
    expect(memberRow(t, member.id).accessExtendedUntil).toBeNull();
    expect((await asAdmin('POST', '/api/admin/members/999999/extend-access', { until: '2026-09-30' })).statusCode).toBe(404);
  });
});

describe('task forces', () => {
  const body = (overrides: Record<string, unknown> = {}) => ({
    name: 'Gulf Coast Human Trafficking Task Force',
    states: ['tx', 'LA'],
    leadAgency: 'Example Parish Sheriff',
    grantEndsOn: '2027-09-30',
    ...overrides
  });

  it('creates, lists, updates, and refuses duplicates and unknown states', async () => {
    const created = await asAdmin('POST', '/api/admin/task-forces', body());
    expect(created.statusCode).toBe(201);
    const id = created.json().id as number;
    const list = await asAdmin('GET', '/api/admin/task-forces');
    expect(list.json().taskForces).toContainEqual(
      expect.objectContaining({
        id,
        name: 'Gulf Coast Human Trafficking Task Force',
        states: ['TX', 'LA'],
        grantEndsAt: Date.UTC(2027, 8, 30, 23, 59, 59, 999),
        memberCount: 0
      })
    );

    const duplicate = await asAdmin('POST', '/api/admin/task-forces', body({ name: 'gulf coast HUMAN trafficking task force' }));
    expect(duplicate.statusCode).toBe(409);
    const badState = await asAdmin('POST', '/api/admin/task-forces', body({ name: 'Another Task Force', states: ['TX', 'ZZ'] }));
    expect(badState.statusCode).toBe(400);
    expect(badState.json().error.fields).toHaveProperty('states');
    expect(badState.json().error.message).toContain('ZZ');
    const noStates = await asAdmin('POST', '/api/admin/task-forces', body({ name: 'Another Task Force', states: [] }));
    expect(noStates.statusCode).toBe(400);
    expect(noStates.json().error.fields).toHaveProperty('states');
    const badDate = await asAdmin(
      'POST',
      '/api/admin/task-forces',
      body({ name: 'Another Task Force', grantEndsOn: '2026-02-30' })
    );
    expect(badDate.statusCode).toBe(400);
    expect(t.db.select().from(taskForces).all()).toHaveLength(1);

    const updated = await asAdmin(
      'PATCH',
      `/api/admin/task-forces/${id}`,
      body({ name: 'Gulf Coast Anti-Trafficking Task Force', states: ['TX'], grantEndsOn: null })
    );
    expect(updated.statusCode).toBe(200);
    expect(t.db.select().from(taskForces).where(eq(taskForces.id, id)).get()).toMatchObject({
      name: 'Gulf Coast Anti-Trafficking Task Force',
      states: ['TX'],
      grantEndsAt: null
    });
    // Its own name in another case is not a duplicate; another task force's name is.
    expect(
      (await asAdmin('PATCH', `/api/admin/task-forces/${id}`, body({ name: 'GULF COAST ANTI-TRAFFICKING TASK FORCE' })))
        .statusCode
    ).toBe(200);
    const other = await asAdmin('POST', '/api/admin/task-forces', body({ name: 'Northern Plains Task Force', states: ['ND'] }));
    expect(other.statusCode).toBe(201);
    expect(
      (
        await asAdmin(
          'PATCH',
          `/api/admin/task-forces/${other.json().id}`,
          body({ name: 'gulf coast anti-trafficking task force' })
        )
      ).statusCode
    ).toBe(409);
    expect((await asAdmin('PATCH', '/api/admin/task-forces/999999', body({ name: 'Nowhere Task Force' }))).statusCode).toBe(404);

    expect(auditOf('task_force.created')).toHaveLength(2);
    expect(auditOf('task_force.updated')).toHaveLength(2);
  });

  it('keeps task-force administration to admins but lists names publicly', async () => {
    createTaskForce(t, { name: 'Zephyr Valley Task Force' });
    createTaskForce(t, { name: 'Amber Ridge Task Force' });
    const member = await createMember(t);
    const cookie = sessionCookie(t, member.id);
    expect((await call(t.app, 'GET', '/api/admin/task-forces', { cookie })).statusCode).toBe(403);
    expect((await call(t.app, 'POST', '/api/admin/task-forces', { cookie, body: body() })).statusCode).toBe(403);

    const options = await call(t.app, 'GET', '/api/task-forces/options');
    expect(options.statusCode).toBe(200);
    const names = options.json().taskForces.map((tf: { name: string }) => tf.name);
    expect(names).toEqual(['Amber Ridge Task Force', 'Zephyr Valley Task Force']);
    for (const tf of options.json().taskForces) expect(Object.keys(tf).sort()).toEqual(['id', 'name', 'states']);
  });
});

describe('site settings', () => {
  it('requireMfaForAll sends a member without MFA to enrolment and closes the community until they do', async () => {
    const member = await createMember(t);
    const cookie = sessionCookie(t, member.id);
    expect((await call(t.app, 'GET', '/api/account/sessions', { cookie })).statusCode).toBe(200);

    const set = await asAdmin('PATCH', '/api/admin/settings', { requireMfaForAll: true });
    expect(set.statusCode).toBe(200);
    expect(set.json().settings.requireMfaForAll).toBe(true);
    expect(auditOf('settings.changed')).toHaveLength(1);

    expect((await call(t.app, 'GET', '/api/me', { cookie })).json().member.onboarding).toBe('mfa');
    const closed = await call(t.app, 'GET', '/api/account/sessions', { cookie });
    expect(closed.statusCode).toBe(403);

    const start = await call(t.app, 'POST', '/api/account/mfa/start', { cookie });
    expect(start.statusCode).toBe(200);
    const key = base32Decode(start.json().manualKey.replace(/\s/g, ''));
    const confirmed = await call(t.app, 'POST', '/api/account/mfa/confirm', {
      cookie,
      body: { code: totpCode(key, t.clock.now()) }
    });
    expect(confirmed.statusCode).toBe(200);
    expect((await call(t.app, 'GET', '/api/me', { cookie })).json().member.onboarding).toBeNull();
    expect((await call(t.app, 'GET', '/api/account/sessions', { cookie })).statusCode).toBe(200);
  });

  it('refuses a malformed domain and non-admins', async () => {
    const bad = await asAdmin('PATCH', '/api/admin/settings', { knownAgencyDomains: ['sheriff.example.gov', 'not a domain'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields).toHaveProperty('knownAgencyDomains');
    expect(bad.json().error.message).toContain('not a domain');
    const normalised = await asAdmin('PATCH', '/api/admin/settings', {
      knownAgencyDomains: ['@Sheriff.Example.GOV', ' sheriff.example.gov ']
    });
    expect(normalised.json().settings.knownAgencyDomains).toEqual(['sheriff.example.gov']);

    const member = await createMember(t);
    const denied = await call(t.app, 'PATCH', '/api/admin/settings', {
      cookie: sessionCookie(t, member.id),
      body: { requireMfaForAll: true }
    });
    expect(denied.statusCode).toBe(403);
    expect((await asAdmin('GET', '/api/admin/settings')).json().settings.requireMfaForAll).toBe(false);
  });
});

/** Minimal RFC 4180 reader: quoted cells may hold commas, quotes and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

describe('audit log', () => {
  /** Three days of admin work by two admins: day 0 alpha, day 2 bravo, day 4 alpha. */
  async function history() {
    const bravo = await createMember(t, { role: 'admin', email: 'bravo.admin@hq.example.gov' });
    const tf = createTaskForce(t);
    const member = await createMember(t, { taskForceId: tf.id });
    expect((await asAdmin('POST', `/api/admin/members/${member.id}/extend-access`, { until: '2026-12-31' })).statusCode).toBe(
      200
    );
    t.clock.advance(2 * DAY);
    const bravoCookie = sessionCookie(t, bravo.id);
    expect(
      (await call(t.app, 'POST', `/api/admin/members/${member.id}/role`, { cookie: bravoCookie, body: { role: 'editor' } }))
        .statusCode
    ).toBe(200);
    expect(
      (await call(t.app, 'PATCH', '/api/admin/settings', { cookie: bravoCookie, body: { knownAgencyDomains: ['example.gov'] } }))
        .statusCode
    ).toBe(200);
    t.clock.advance(2 * DAY);
    bossCookie = sessionCookie(t, boss.id);
    expect((await asAdmin('POST', `/api/admin/members/${member.id}/suspend`, { reason: 'Left the agency.' })).statusCode).toBe(
      200
    );
    return { bravo, member };
  }

  const actions = (res: { json(): { entries: { action: string }[] } }) => res.json().entries.map((e) => e.action);

  it('filters by actor, action prefix and date range, newest first', async () => {
    const { bravo } = await history();
    const all = await asAdmin('GET', '/api/admin/audit');
    expect(all.statusCode).toBe(200);
    expect(actions(all)).toEqual(['member.suspended', 'settings.changed', 'member.role_changed', 'member.access_extended']);

    const byEmail = await asAdmin('GET', '/api/admin/audit?actor=ALPHA.admin');
    expect(actions(byEmail)).toEqual(['member.suspended', 'member.access_extended']);
    const byId = await asAdmin('GET', `/api/admin/audit?actor=${bravo.id}`);
    expect(actions(byId)).toEqual(['settings.changed', 'member.role_changed']);

    // 'member' is a prefix of whole segments: it does not match 'membership.*'.
    const tf = createTaskForce(t);
    const before = await asAdmin('GET', '/api/admin/audit?action=membership');
    expect(before.json().entries).toHaveLength(0);
    const requestBody = {
      fullName: 'Dana Whitfield',
      email: 'dana@sheriff.example.gov',
      agency: 'Example County Sheriff',
      jobTitle: 'Detective',
      discipline: 'law_enforcement',
      taskForceId: tf.id,
      supervisorName: 'Sgt. Lee Park',
      supervisorContact: 'lee.park@sheriff.example.gov',
      reason: 'I investigate labor trafficking cases and want to learn from peers.'
    };
    expect((await call(t.app, 'POST', '/api/membership-requests', { body: requestBody })).statusCode).toBe(202);
    await t.deps.bus.idle();
    const confirm = await call(t.app, 'POST', '/api/membership-requests/confirm', {
      body: { token: t.linkFor('dana@sheriff.example.gov', '/request-access/confirm') }
    });
    expect(confirm.statusCode).toBe(200);
    const queue = await call(t.app, 'GET', '/api/admin/membership-requests', { cookie: bossCookie });
    expect((await asAdmin('POST', `/api/admin/membership-requests/${queue.json().requests[0].id}/approve`)).statusCode).toBe(200);

    expect(actions(await asAdmin('GET', '/api/admin/audit?action=membership'))).toEqual(['membership.approved']);
    expect(actions(await asAdmin('GET', '/api/admin/audit?action=member'))).toEqual([
      'member.suspended',
      'member.role_changed',
      'member.access_extended'
    ]);
    expect(actions(await asAdmin('GET', '/api/admin/audit?action=member.suspended'))).toEqual(['member.suspended']);

    // Day 2 only (2026-01-07), then from day 2 on.
    expect(actions(await asAdmin('GET', '/api/admin/audit?from=2026-01-07&to=2026-01-07'))).toEqual([
      'settings.changed',
      'member.role_changed'
    ]);
    expect(actions(await asAdmin('GET', '/api/admin/audit?from=2026-01-07&actor=alpha'))).toEqual([
      'membership.approved',
      'member.suspended'
    ]);
    expect(actions(await asAdmin('GET', '/api/admin/audit?to=2026-01-05'))).toEqual(['member.access_extended']);

    expect((await asAdmin('GET', '/api/admin/audit?from=2026-13-01')).statusCode).toBe(400);
    expect((await asAdmin('GET', '/api/admin/audit?action=DROP TABLE')).statusCode).toBe(400);
  });

  it('pages with before', async () => {
    await history();
    const all = (await asAdmin('GET', '/api/admin/audit')).json().entries.map((e: { id: number }) => e.id);
    expect(all).toHaveLength(4);
    const first = await asAdmin('GET', '/api/admin/audit?limit=3');
    expect(first.json().entries.map((e: { id: number }) => e.id)).toEqual(all.slice(0, 3));
    expect(first.json().next).toBe(all[2]);
    const second = await asAdmin('GET', `/api/admin/audit?limit=3&before=${first.json().next}`);
    expect(second.json().entries.map((e: { id: number }) => e.id)).toEqual(all.slice(3));
    expect(second.json().next).toBeNull();
  });

  it('is for admins only', async () => {
    const tf = createTaskForce(t);
    const coordinator = await createMember(t, { role: 'coordinator', taskForceId: tf.id });
    const cookie = sessionCookie(t, coordinator.id);
    expect((await call(t.app, 'GET', '/api/admin/audit', { cookie })).statusCode).toBe(403);
    expect((await call(t.app, 'POST', '/api/admin/audit/export', { cookie, body: {} })).statusCode).toBe(403);
    expect(auditOf('audit.exported')).toHaveLength(0);
  });

  it('exports CSV with a header row, one line per entry, formula cells neutralised, and audits the export', async () => {
    await history();
    // Sign-in failures record the address typed and the browser's user agent, both attacker-controlled.
    const hostile = ['=HYPERLINK("http://evil.example","x")@x.example', '+1+2@x.example', '-3+4@x.example', '@SUM(A1:A2)'];
    for (const email of hostile.slice(0, 3)) {
      const res = await call(t.app, 'POST', '/api/auth/sign-in', { body: { email, password: 'whatever it is' } });
      expect(res.statusCode).toBe(401);
    }
    const uaRes = await call(t.app, 'POST', '/api/auth/sign-in', {
      body: { email: 'nobody@example.gov', password: 'whatever it is' },
      headers: { 'user-agent': hostile[3]! }
    });
    expect(uaRes.statusCode).toBe(401);

    const res = await asAdmin('POST', '/api/admin/audit/export', {});
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="[^"]+\.csv"$/);

    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual([
      'id',
      'at_utc',
      'actor_id',
      'actor_email',
      'action',
      'target_type',
      'target_id',
      'outcome',
      'ip',
      'user_agent',
      'detail'
    ]);
    const data = rows.slice(1);
    const inDb = t.db.select().from(auditLog).all();
    expect(data).toHaveLength(inDb.length);
    expect(res.body.trimEnd().split('\n')).toHaveLength(inDb.length + 1);
    for (const r of data) expect(r).toHaveLength(11);
    for (const cell of data.flat()) expect(cell).not.toMatch(/^[=+\-@]/);

    const emails = data.map((r) => r[3]);
    expect(emails).toContain(`'${hostile[0]!.toLowerCase()}`);
    expect(emails).toContain("'+1+2@x.example");
    expect(emails).toContain("'-3+4@x.example");
    expect(data.map((r) => r[9])).toContain("'@SUM(A1:A2)");

    const exported = auditOf('audit.exported');
    expect(exported).toEqual([expect.objectContaining({ actorId: boss.id, actorEmail: boss.email })]);
    expect(data[0]![4]).toBe('audit.exported');
    expect(data[0]![1]).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    const filtered = parseCsv((await asAdmin('POST', '/api/admin/audit/export', { action: 'auth' })).body).slice(1);
    expect(filtered.length).toBe(4);
    for (const r of filtered) expect(r[4]).toMatch(/^auth\./);
    expect(auditOf('audit.exported')).toHaveLength(2);
  });

  // Regression: an open better-sqlite3 iterator behind a paused download made every write fail ("busy executing a query").
  it('keeps the site writable while an export download is part-way through', async () => {
    await history();
    const member = await createMember(t);
    const actor = t.deps.sessions.validate(bossCookie.slice(bossCookie.indexOf('=') + 1));
    expect(actor).not.toBeNull();
    const csv = exportAuditCsv({ ...t.deps, actor, ip: '127.0.0.1', userAgent: 'vitest' }, {});
    try {
      // Header and first line sent; the client has stopped reading for now.
      expect(csv.next().value).toMatch(/^id,at_utc,/);
      expect(csv.next().done).toBe(false);
      const write = await asAdmin('POST', `/api/admin/members/${member.id}/unlock`);
      expect(write.statusCode).toBe(200);
    } finally {
      csv.return(undefined);
    }
  });

  it('is append-only in the database itself', async () => {
    await history();
    const count = t.db.select().from(auditLog).all().length;
    expect(count).toBeGreaterThan(0);
    expect(() => t.db.$client.prepare('UPDATE audit_log SET action = ?').run('x')).toThrow(/append-only/);
    expect(() => t.db.$client.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(t.db.select().from(auditLog).all()).toHaveLength(count);
    expect(
      t.db
        .select()
        .from(auditLog)
        .all()
        .every((r) => r.action !== 'x')
    ).toBe(true);
  });
});

describe('member list', () => {
  it('is for admins and finds by name, e-mail or agency', async () => {
    const member = await createMember(t, { name: 'Quincy Searchable' });
    const found = await asAdmin('GET', '/api/admin/members?q=Searchable');
    expect(found.json().members.map((m: { id: number }) => m.id)).toEqual([member.id]);
    expect((await call(t.app, 'GET', '/api/admin/members', { cookie: sessionCookie(t, member.id) })).statusCode).toBe(403);
    expect(t.db.select().from(members).all().length).toBeGreaterThan(1);
  });
});
