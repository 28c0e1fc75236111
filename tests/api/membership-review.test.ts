import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog, members, membershipRequests, tokens } from '../../db/schema/index.ts';
import { DAY, HOUR, MINUTE } from '../../server/shared/clock.ts';
import { call, makeApp, ORIGIN, type TestApp } from '../support/app.ts';
import { createMember, createTaskForce, sessionCookie } from '../support/factories.ts';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.close();
});

let applicantCount = 0;
let ipCount = 0;

function applicant(overrides: Record<string, unknown> = {}) {
  applicantCount++;
  return {
    fullName: `Dana Whitfield ${applicantCount}`,
    email: `applicant${applicantCount}@sheriff${applicantCount}.example.gov`,
    agency: 'Example County Sheriff',
    jobTitle: 'Detective',
    discipline: 'law_enforcement',
    taskForceId: null as number | null,
    supervisorName: 'Sgt. Lee Park',
    supervisorContact: 'lee.park@sheriff.example.gov',
    reason: 'I investigate labor trafficking cases and want to learn from peers.',
    ...overrides
  };
}

/** Each request comes from its own address unless told, so the per-IP limit only bites where a test means it to. */
function postRequest(body: unknown, ip = `10.0.${Math.floor(++ipCount / 250)}.${ipCount % 250}`) {
  return t.app.inject({
    method: 'POST',
    url: '/api/membership-requests',
    headers: { origin: ORIGIN },
    payload: body as Record<string, unknown>,
    remoteAddress: ip
  });
}

async function confirmToken(email: string): Promise<string> {
  await t.deps.bus.idle();
  return t.linkFor(email, '/request-access/confirm');
}

/** A request that went through e-mail confirmation and sits in the queue. */
async function confirmedRequest(overrides: Record<string, unknown> = {}) {
  const body = applicant(overrides);
  expect((await postRequest(body)).statusCode).toBe(202);
  const token = await confirmToken(body.email);
  const res = await call(t.app, 'POST', '/api/membership-requests/confirm', { body: { token } });
  expect(res.statusCode).toBe(200);
  await t.deps.bus.idle();
  return { id: requestRow(body.email)!.id, email: body.email, statusToken: res.json().statusToken as string };
}

function requestRow(email: string) {
  return t.db.select().from(membershipRequests).where(eq(membershipRequests.email, email)).get();
}

function requestsFor(email: string) {
  return t.db.select().from(membershipRequests).where(eq(membershipRequests.email, email)).all();
}

function auditOf(action: string) {
  return t.db.select().from(auditLog).where(eq(auditLog.action, action)).all();
}

const status = async (token: string) => (await call(t.app, 'GET', `/api/membership-requests/status?token=${token}`)).json();

async function admin() {
  const m = await createMember(t, { role: 'admin' });
  return { ...m, cookie: sessionCookie(t, m.id) };
}

async function coordinatorOf(taskForceId: number) {
  const m = await createMember(t, { role: 'coordinator', taskForceId });
  return { ...m, cookie: sessionCookie(t, m.id) };
}

describe('the review queue', () => {
  it('lists confirmed requests oldest first by (confirmedAt, id) and pages with a keyset cursor', async () => {
    const { cookie } = await admin();
    const bodies = [applicant(), applicant(), applicant()];
    for (const b of bodies) expect((await postRequest(b)).statusCode).toBe(202);
    const tokensByEmail = new Map<string, string>();
    for (const b of bodies) tokensByEmail.set(b.email, await confirmToken(b.email));
    const confirm = async (email: string) =>
      expect(
        (await call(t.app, 'POST', '/api/membership-requests/confirm', { body: { token: tokensByEmail.get(email) } })).statusCode
      ).toBe(200);

    // The third applicant confirms first; the other two confirm in the same millisecond (id breaks the tie).
    await confirm(bodies[2]!.email);
    t.clock.advance(MINUTE);
    await confirm(bodies[1]!.email);
    await confirm(bodies[0]!.email);
    const expected = [bodies[2]!.email, bodies[0]!.email, bodies[1]!.email];

    // An applicant who never confirms stays out of the queue.
    const unconfirmed = applicant();
    expect((await postRequest(unconfirmed)).statusCode).toBe(202);

    const all = await call(t.app, 'GET', '/api/admin/membership-requests', { cookie });
    expect(all.statusCode).toBe(200);
    expect(all.json().requests.map((r: { email: string }) => r.email)).toEqual(expected);
    expect(all.json().next).toBeNull();

    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const url: string = `/api/admin/membership-requests?limit=1${after ? `&after=${after}` : ''}`;
      const res = await call(t.app, 'GET', url, { cookie });
      expect(res.statusCode).toBe(200);
      expect(res.json().requests).toHaveLength(1);
      seen.push(res.json().requests[0].email);
      after = res.json().next;
      if (page < 2) expect(after).toMatch(/^\d+\.\d+$/);
    }
    expect(seen).toEqual(expected);
    expect(after).toBeNull();

    expect((await call(t.app, 'GET', '/api/admin/counts', { cookie })).json().pendingRequests).toBe(3);
    const decided = await call(t.app, 'GET', '/api/admin/membership-requests?view=decided', { cookie });
    expect(decided.json().requests).toHaveLength(0);
    expect(JSON.stringify(all.json())).not.toContain(unconfirmed.email);
  });

  it('refuses a malformed page cursor with 400', async () => {
    const { cookie } = await admin();
    const res = await call(t.app, 'GET', '/api/admin/membership-requests?after=abc.def', { cookie });
    expect(res.statusCode).toBe(400);
  });
});

describe('who may review', () => {
  it('scopes a coordinator to their own task force, while an admin sees everything', async () => {
    const tfA = createTaskForce(t);
    const tfB = createTaskForce(t);
    const coordinator = await coordinatorOf(tfA.id);
    const mine = await confirmedRequest({ taskForceId: tfA.id });
    const theirs = await confirmedRequest({ taskForceId: tfB.id });
    const notListed = await confirmedRequest({ taskForceId: null });
    const cookie = coordinator.cookie;

    const list = await call(t.app, 'GET', '/api/admin/membership-requests', { cookie });
    expect(list.statusCode).toBe(200);
    expect(list.json().requests.map((r: { id: number }) => r.id)).toEqual([mine.id]);
    expect((await call(t.app, 'GET', '/api/admin/counts', { cookie })).json().pendingRequests).toBe(1);

    expect((await call(t.app, 'GET', `/api/admin/membership-requests/${mine.id}`, { cookie })).statusCode).toBe(200);
    for (const other of [theirs, notListed]) {
      const base = `/api/admin/membership-requests/${other.id}`;
      expect((await call(t.app, 'GET', base, { cookie })).statusCode).toBe(403);
      expect((await call(t.app, 'POST', `${base}/approve`, { cookie })).statusCode).toBe(403);
      expect((await call(t.app, 'POST', `${base}/review`, { cookie })).statusCode).toBe(403);
      expect(
        (await call(t.app, 'POST', `${base}/decline`, { cookie, body: { reason: 'Not a task force member.' } })).statusCode
      ).toBe(403);
      expect(
        (await call(t.app, 'POST', `${base}/request-info`, { cookie, body: { message: 'Who is your supervisor?' } })).statusCode
      ).toBe(403);
    }
    // Nothing changed on the requests the coordinator could not touch.
    expect(requestRow(theirs.email)!.status).toBe('submitted');
    expect(requestRow(notListed.email)!.status).toBe('submitted');
    expect(t.db.select().from(members).where(eq(members.email, theirs.email)).get()).toBeUndefined();

    const boss = await admin();
    const all = await call(t.app, 'GET', '/api/admin/membership-requests', { cookie: boss.cookie });
    expect(all.json().requests.map((r: { id: number }) => r.id)).toEqual([mine.id, theirs.id, notListed.id]);
    expect(all.json().requests[2]).toMatchObject({ taskForceId: null, taskForceName: null });
    expect((await call(t.app, 'GET', '/api/admin/counts', { cookie: boss.cookie })).json().pendingRequests).toBe(3);
    const detail = await call(t.app, 'GET', `/api/admin/membership-requests/${notListed.id}`, { cookie: boss.cookie });
    expect(detail.statusCode).toBe(200);
    expect(detail.json().request).toMatchObject({ email: notListed.email, taskForceId: null });
    expect(detail.json().request).not.toHaveProperty('statusTokenHash');
    expect(detail.json().request).not.toHaveProperty('statusTokenSealed');
  });

  it('refuses plain members and non-reviewing staff', async () => {
    const tf = createTaskForce(t);
    const request = await confirmedRequest({ taskForceId: tf.id });
    const member = await createMember(t, { taskForceId: tf.id });
    const moderator = await createMember(t, { role: 'moderator', taskForceId: tf.id });
    for (const m of [member, moderator]) {
      const cookie = sessionCookie(t, m.id);
      expect((await call(t.app, 'GET', '/api/admin/membership-requests', { cookie })).statusCode).toBe(403);
      expect((await call(t.app, 'GET', `/api/admin/membership-requests/${request.id}`, { cookie })).statusCode).toBe(403);
      expect((await call(t.app, 'POST', `/api/admin/membership-requests/${request.id}/approve`, { cookie })).statusCode).toBe(
        403
      );
    }
    expect((await call(t.app, 'GET', '/api/admin/counts', { cookie: sessionCookie(t, member.id) })).statusCode).toBe(403);
    expect((await call(t.app, 'GET', '/api/admin/membership-requests')).statusCode).toBe(401);
    expect(requestRow(request.email)!.status).toBe('submitted');
  });
});

describe('decisions', () => {
  it('declines with a reason the applicant sees on the status page and in the mail', async () => {
    const tf = createTaskForce(t);
    const coordinator = await coordinatorOf(tf.id);
    const r = await confirmedRequest({ taskForceId: tf.id });
    const url = `/api/admin/membership-requests/${r.id}/decline`;

    const missing = await call(t.app, 'POST', url, { cookie: coordinator.cookie, body: {} });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.fields).toHaveProperty('reason');
    const short = await call(t.app, 'POST', url, { cookie: coordinator.cookie, body: { reason: 'no' } });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.fields).toHaveProperty('reason');
    expect(requestRow(r.email)!.status).toBe('submitted');

    const reason = 'We could not verify your employment with the task force.';
    const declined = await call(t.app, 'POST', url, { cookie: coordinator.cookie, body: { reason } });
    expect(declined.statusCode).toBe(200);
    await t.deps.bus.idle();

    expect(await status(r.statusToken)).toMatchObject({ status: 'declined', declineReason: reason });
    const mail = t
      .mails()
      .filter((m) => m.to === r.email)
      .pop()!;
    expect(mail.subject).toMatch(/declined/);
    expect(mail.text).toContain(reason);
    expect(t.linkFor(r.email, '/request-status')).toBe(r.statusToken);

    const rows = auditOf('membership.declined');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorId: coordinator.id, actorEmail: coordinator.email, targetId: String(r.id) });
    expect(t.db.select().from(members).where(eq(members.email, r.email)).get()).toBeUndefined();
  });

  it('asks for more information; the applicant answers and the request returns to review', async () => {
    const tf = createTaskForce(t);
    const coordinator = await coordinatorOf(tf.id);
    const r = await confirmedRequest({ taskForceId: tf.id });

    // Not asked yet: an answer is refused.
    const early = await call(t.app, 'POST', '/api/membership-requests/respond', {
      body: { token: r.statusToken, message: 'Here is more.' }
    });
    expect(early.statusCode).toBe(409);

    const question = 'Please tell us the name of your task force supervisor.';
    const asked = await call(t.app, 'POST', `/api/admin/membership-requests/${r.id}/request-info`, {
      cookie: coordinator.cookie,
      body: { message: question }
    });
    expect(asked.statusCode).toBe(200);
    await t.deps.bus.idle();

    const waiting = await status(r.statusToken);
    expect(waiting.status).toBe('info_requested');
    expect(waiting.messages).toEqual([expect.objectContaining({ author: 'reviewer', body: question })]);
    const mail = t
      .mails()
      .filter((m) => m.to === r.email)
      .pop()!;
    expect(mail.text).toContain(question);
    expect(t.linkFor(r.email, '/request-status')).toBe(r.statusToken);

    const rows = auditOf('membership.info_requested');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorId: coordinator.id, actorEmail: coordinator.email, targetId: String(r.id) });

    const answer = 'My supervisor is Lt. Maria Gomez.';
    const responded = await call(t.app, 'POST', '/api/membership-requests/respond', {
      body: { token: r.statusToken, message: answer }
    });
    expect(responded.statusCode).toBe(200);
    const after = await status(r.statusToken);
    expect(after.status).toBe('in_review');
    expect(after.messages.map((m: { author: string; body: string }) => [m.author, m.body])).toEqual([
      ['reviewer', question],
      ['applicant', answer]
    ]);

    const again = await call(t.app, 'POST', '/api/membership-requests/respond', {
      body: { token: r.statusToken, message: 'One more thing.' }
    });
    expect(again.statusCode).toBe(409);

    const detail = await call(t.app, 'GET', `/api/admin/membership-requests/${r.id}`, { cookie: coordinator.cookie });
    expect(detail.json().request.messages).toHaveLength(2);
  });

  it('takes a request into review only from submitted', async () => {
    const { cookie } = await admin();
    const r = await confirmedRequest();
    const url = `/api/admin/membership-requests/${r.id}/review`;
    expect((await call(t.app, 'POST', url, { cookie })).statusCode).toBe(200);
    expect(requestRow(r.email)!.status).toBe('in_review');
    expect((await status(r.statusToken)).status).toBe('in_review');
    expect((await call(t.app, 'POST', url, { cookie })).statusCode).toBe(409);

    const asked = await confirmedRequest();
    await call(t.app, 'POST', `/api/admin/membership-requests/${asked.id}/request-info`, {
      cookie,
      body: { message: 'Which cases do you work on?' }
    });
    expect((await call(t.app, 'POST', `/api/admin/membership-requests/${asked.id}/review`, { cookie })).statusCode).toBe(409);
    expect(requestRow(asked.email)!.status).toBe('info_requested');
  });

  it('refuses a second decision with 409 and writes an audit row with the actor for each decision', async () => {
    const boss = await admin();
    const cookie = boss.cookie;
    const approved = await confirmedRequest();
    const url = (id: number, what: string) => `/api/admin/membership-requests/${id}/${what}`;

    const first = await call(t.app, 'POST', url(approved.id, 'approve'), { cookie });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ status: 'approved', memberId: expect.any(Number) });
    expect((await call(t.app, 'POST', url(approved.id, 'approve'), { cookie })).statusCode).toBe(409);
    expect(
      (await call(t.app, 'POST', url(approved.id, 'decline'), { cookie, body: { reason: 'Changed my mind.' } })).statusCode
    ).toBe(409);
    expect(
      (await call(t.app, 'POST', url(approved.id, 'request-info'), { cookie, body: { message: 'One more question.' } }))
        .statusCode
    ).toBe(409);
    expect((await call(t.app, 'POST', url(approved.id, 'review'), { cookie })).statusCode).toBe(409);
    expect(t.db.select().from(members).where(eq(members.email, approved.email)).all()).toHaveLength(1);

    const declined = await confirmedRequest();
    expect(
      (await call(t.app, 'POST', url(declined.id, 'decline'), { cookie, body: { reason: 'Not eligible.' } })).statusCode
    ).toBe(200);
    expect((await call(t.app, 'POST', url(declined.id, 'approve'), { cookie })).statusCode).toBe(409);
    expect(
      (await call(t.app, 'POST', url(declined.id, 'decline'), { cookie, body: { reason: 'Not eligible.' } })).statusCode
    ).toBe(409);
    expect(t.db.select().from(members).where(eq(members.email, declined.email)).get()).toBeUndefined();

    const approvedRows = auditOf('membership.approved');
    expect(approvedRows).toHaveLength(1);
    expect(approvedRows[0]).toMatchObject({
      actorId: boss.id,
      actorEmail: boss.email,
      targetType: 'membership_request',
      targetId: String(approved.id),
      outcome: 'success'
    });
    expect(auditOf('membership.declined')).toEqual([
      expect.objectContaining({ actorId: boss.id, targetId: String(declined.id) })
    ]);

    const decidedView = await call(t.app, 'GET', '/api/admin/membership-requests?view=decided', { cookie });
    expect(decidedView.json().requests.map((r: { id: number }) => r.id)).toEqual([approved.id, declined.id]);
    expect((await call(t.app, 'GET', '/api/admin/counts', { cookie })).json().pendingRequests).toBe(0);
  });

  it('refuses to approve when a member with that e-mail already exists, writing nothing', async () => {
    const { cookie } = await admin();
    const r = await confirmedRequest();
    await createMember(t, { email: r.email });
    const mailsBefore = t.mails().length;

    const res = await call(t.app, 'POST', `/api/admin/membership-requests/${r.id}/approve`, { cookie });
    expect(res.statusCode).toBe(409);
    await t.deps.bus.idle();
    expect(requestRow(r.email)).toMatchObject({ status: 'submitted', memberId: null, decidedBy: null });
    expect(t.db.select().from(members).where(eq(members.email, r.email)).all()).toHaveLength(1);
    expect(t.db.select().from(tokens).where(eq(tokens.purpose, 'activation')).all()).toHaveLength(0);
    expect(auditOf('membership.approved')).toHaveLength(0);
    expect(t.mails()).toHaveLength(mailsBefore);
  });
});

describe('links', () => {
  it('the confirm link works once and only for 48 hours', async () => {
    const late = applicant();
    expect((await postRequest(late)).statusCode).toBe(202);
    const lateToken = await confirmToken(late.email);
    t.clock.advance(48 * HOUR - MINUTE);
    const onTime = applicant();
    expect((await postRequest(onTime)).statusCode).toBe(202);
    const onTimeToken = await confirmToken(onTime.email);
    t.clock.advance(MINUTE);

    const expired = await call(t.app, 'POST', '/api/membership-requests/confirm', { body: { token: lateToken } });
    expect(expired.statusCode).toBe(410);
    expect(requestRow(late.email)!.status).toBe('unconfirmed');

    const ok = await call(t.app, 'POST', '/api/membership-requests/confirm', { body: { token: onTimeToken } });
    expect(ok.statusCode).toBe(200);
    const reused = await call(t.app, 'POST', '/api/membership-requests/confirm', { body: { token: onTimeToken } });
    expect(reused.statusCode).toBe(410);
    expect((await call(t.app, 'POST', '/api/membership-requests/confirm', { body: { token: 'abc' } })).statusCode).toBe(410);
  });

  it('the activation link works once and only for 72 hours', async () => {
    const { cookie } = await admin();
    const expiring = await confirmedRequest();
    const used = await confirmedRequest();
    for (const r of [expiring, used]) {
      expect((await call(t.app, 'POST', `/api/admin/membership-requests/${r.id}/approve`, { cookie })).statusCode).toBe(200);
    }
    await t.deps.bus.idle();
    const expiringToken = t.linkFor(expiring.email, '/activate');
    const usedToken = t.linkFor(used.email, '/activate');
    const password = 'granite meadow pocket violin';

    const first = await call(t.app, 'POST', '/api/activation', { body: { token: usedToken, password } });
    expect(first.statusCode).toBe(200);
    const second = await call(t.app, 'POST', '/api/activation', { body: { token: usedToken, password } });
    expect(second.statusCode).toBe(410);
    expect((await call(t.app, 'GET', `/api/activation?token=${usedToken}`)).statusCode).toBe(410);

    t.clock.advance(72 * HOUR - MINUTE);
    expect((await call(t.app, 'GET', `/api/activation?token=${expiringToken}`)).statusCode).toBe(200);
    t.clock.advance(MINUTE);
    expect((await call(t.app, 'GET', `/api/activation?token=${expiringToken}`)).statusCode).toBe(410);
    const late = await call(t.app, 'POST', '/api/activation', { body: { token: expiringToken, password } });
    expect(late.statusCode).toBe(410);
    expect(t.db.select().from(members).where(eq(members.email, expiring.email)).get()!.passwordHash).toBeNull();
  });
});

describe('asking to join', () => {
  it('a second request before confirming replaces the first', async () => {
    const first = applicant({ fullName: 'Dana First' });
    expect((await postRequest(first)).statusCode).toBe(202);
    const firstToken = await confirmToken(first.email);
    t.clock.advance(MINUTE);
    const second = { ...first, fullName: 'Dana Second' };
    expect((await postRequest(second)).statusCode).toBe(202);
    const secondToken = await confirmToken(first.email);
    expect(secondToken).not.toBe(firstToken);

    const rows = requestsFor(first.email);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.fullName).toBe('Dana Second');
    expect((await call(t.app, 'POST', '/api/membership-requests/confirm', { body: { token: firstToken } })).statusCode).toBe(410);
    const ok = await call(t.app, 'POST', '/api/membership-requests/confirm', { body: { token: secondToken } });
    expect(ok.statusCode).toBe(200);
    expect((await status(ok.json().statusToken)).fullName).toBe('Dana Second');
  });

  it('answers identically but creates nothing while an open request exists, or for a member', async () => {
    const open = await confirmedRequest();
    const member = await createMember(t);
    const fresh = await postRequest(applicant());
    expect(fresh.statusCode).toBe(202);
    await t.deps.bus.idle();
    const mailsBefore = t.mails().length;

    const again = await postRequest(applicant({ email: open.email }));
    expect(again.statusCode).toBe(202);
    expect(again.body).toBe(fresh.body);
    expect(requestsFor(open.email)).toHaveLength(1);
    expect(requestRow(open.email)!.status).toBe('submitted');

    const memberAgain = await postRequest(applicant({ email: member.email.toUpperCase() }));
    expect(memberAgain.statusCode).toBe(202);
    expect(memberAgain.body).toBe(fresh.body);
    expect(requestsFor(member.email)).toHaveLength(0);

    await t.deps.bus.idle();
    expect(t.mails()).toHaveLength(mailsBefore);
  });

  it('flags requests from known-agency domains without approving them', async () => {
    const boss = await admin();
    const set = await call(t.app, 'PATCH', '/api/admin/settings', {
      cookie: boss.cookie,
      body: { knownAgencyDomains: ['sheriff.example.gov'] }
    });
    expect(set.statusCode).toBe(200);
    expect(set.json().settings.knownAgencyDomains).toEqual(['sheriff.example.gov']);

    const exact = await confirmedRequest({ email: 'dana@sheriff.example.gov' });
    const sub = await confirmedRequest({ email: 'lee@hq.sheriff.example.gov' });
    const lookalike = await confirmedRequest({ email: 'sam@notsheriff.example.gov' });
    const other = await confirmedRequest({ email: 'kim@police.example.org' });

    const list = await call(t.app, 'GET', '/api/admin/membership-requests', { cookie: boss.cookie });
    const flags = Object.fromEntries(
      list.json().requests.map((r: { email: string; knownAgency: boolean; status: string }) => [r.email, r.knownAgency])
    );
    expect(flags).toEqual({ [exact.email]: true, [sub.email]: true, [lookalike.email]: false, [other.email]: false });
    for (const r of [exact, sub]) {
      expect(requestRow(r.email)).toMatchObject({ status: 'submitted', memberId: null });
      expect((await status(r.statusToken)).status).toBe('submitted');
      expect(t.db.select().from(members).where(eq(members.email, r.email)).get()).toBeUndefined();
    }
    expect(t.db.select().from(tokens).where(eq(tokens.purpose, 'activation')).all()).toHaveLength(0);
  });

  it('limits one network to 5 requests an hour, then 429 with Retry-After', async () => {
    const ip = '203.0.113.7';
    for (let i = 0; i < 5; i++) expect((await postRequest(applicant(), ip)).statusCode).toBe(202);
    const sixth = await postRequest(applicant(), ip);
    expect(sixth.statusCode).toBe(429);
    const retry = Number(sixth.headers['retry-after']);
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(3600);
    expect(sixth.json().error.code).toBe('rate_limited');

    expect((await postRequest(applicant(), '203.0.113.8')).statusCode).toBe(202);
    t.clock.advance(HOUR);
    expect((await postRequest(applicant(), ip)).statusCode).toBe(202);
  });

  it('names the missing or short fields, and refuses an unknown task force', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ agency: undefined }, 'agency'],
      [{ fullName: 'D' }, 'fullName'],
      [{ reason: 'short' }, 'reason'],
      [{ email: 'not-an-address' }, 'email'],
      [{ supervisorName: '' }, 'supervisorName'],
      [{ discipline: 'wizardry' }, 'discipline'],
      [{ taskForceId: 999_999 }, 'taskForceId']
    ];
    for (const [override, field] of cases) {
      const body = applicant(override);
      const res = await postRequest(JSON.parse(JSON.stringify(body)));
      expect(res.statusCode, field).toBe(400);
      expect(res.json().error.fields, field).toHaveProperty(field);
      expect(res.json().error.message, field).toEqual(expect.any(String));
    }
    const empty = await postRequest({});
    expect(empty.statusCode).toBe(400);
    expect(Object.keys(empty.json().error.fields).length).toBeGreaterThan(0);

    await t.deps.bus.idle();
    expect(t.db.select().from(membershipRequests).all()).toHaveLength(0);
    expect(t.mails()).toHaveLength(0);
  });
});

describe('status page', () => {
  it('does not show an unconfirmed or unknown request', async () => {
    expect((await call(t.app, 'GET', '/api/membership-requests/status?token=doesnotexist')).statusCode).toBe(404);
    const r = await confirmedRequest();
    expect(await status(r.statusToken)).toMatchObject({ status: 'submitted', email: r.email, declineReason: null });
    // Even a long wait does not change an open request.
    t.clock.advance(30 * DAY);
    expect((await status(r.statusToken)).status).toBe('submitted');
  });
});
