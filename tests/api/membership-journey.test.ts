import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, cookiesFrom, makeApp, type TestApp } from '../support/app.ts';
import { createMember, createTaskForce, memberRow, sessionCookie } from '../support/factories.ts';
import { totpCode } from '../../server/shared/totp.ts';
import { base32Decode } from '../support/totp.ts';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.close();
});

const applicant = (taskForceId: number | null) => ({
  fullName: 'Dana Whitfield',
  email: 'dana.whitfield@sheriff.example.gov',
  agency: 'Example County Sheriff',
  jobTitle: 'Detective',
  discipline: 'law_enforcement',
  taskForceId,
  supervisorName: 'Sgt. Lee Park',
  supervisorContact: 'lee.park@sheriff.example.gov',
  reason: 'I investigate labor trafficking cases and want to learn from peers.'
});

describe('request → confirm → review → activate → sign in', () => {
  it('takes an applicant all the way to a signed-in member with MFA', async () => {
    const tf = createTaskForce(t);
    const coordinator = await createMember(t, { role: 'coordinator', taskForceId: tf.id });
    const coordinatorCookie = sessionCookie(t, coordinator.id);

    const requested = await call(t.app, 'POST', '/api/membership-requests', { body: applicant(tf.id) });
    expect(requested.statusCode).toBe(202);

    // Not in the queue until the e-mail is confirmed.
    let queue = await call(t.app, 'GET', '/api/admin/membership-requests', { cookie: coordinatorCookie });
    expect(queue.json().requests).toHaveLength(0);

    await t.deps.bus.idle();
    const confirmToken = t.linkFor('dana.whitfield@sheriff.example.gov', '/request-access/confirm');
    const confirmed = await call(t.app, 'POST', '/api/membership-requests/confirm', { body: { token: confirmToken } });
    expect(confirmed.statusCode).toBe(200);
    const statusToken = confirmed.json().statusToken as string;
    // Single use.
    expect((await call(t.app, 'POST', '/api/membership-requests/confirm', { body: { token: confirmToken } })).statusCode).toBe(
      410
    );

    const status = await call(t.app, 'GET', `/api/membership-requests/status?token=${statusToken}`);
    expect(status.json().status).toBe('submitted');

    queue = await call(t.app, 'GET', '/api/admin/membership-requests', { cookie: coordinatorCookie });
    expect(queue.json().requests).toHaveLength(1);
    const requestId = queue.json().requests[0].id;

    const approved = await call(t.app, 'POST', `/api/admin/membership-requests/${requestId}/approve`, {
      cookie: coordinatorCookie
    });
    expect(approved.statusCode).toBe(200);
    await t.deps.bus.idle();
    expect((await call(t.app, 'GET', `/api/membership-requests/status?token=${statusToken}`)).json().status).toBe('approved');

    const activationToken = t.linkFor('dana.whitfield@sheriff.example.gov', '/activate');
    const info = await call(t.app, 'GET', `/api/activation?token=${activationToken}`);
    expect(info.json()).toMatchObject({ name: 'Dana Whitfield', mfaRequired: false });

    const weak = await call(t.app, 'POST', '/api/activation', { body: { token: activationToken, password: 'short password' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.message).toMatch(/at least 15 characters/);

    const activated = await call(t.app, 'POST', '/api/activation', {
      body: { token: activationToken, password: 'granite meadow pocket violin' }
    });
    expect(activated.statusCode).toBe(200);
    let cookie = cookiesFrom(activated);
    let me = await call(t.app, 'GET', '/api/me', { cookie });
    expect(me.json().member).toMatchObject({ status: 'pending', onboarding: 'notice' });
    // The community stays closed until activation is finished.
    expect((await call(t.app, 'GET', '/api/account/sessions', { cookie })).statusCode).toBe(403);

    // Optional MFA enrolment during activation.
    const start = await call(t.app, 'POST', '/api/account/mfa/start', { cookie });
    const key = base32Decode(start.json().manualKey.replace(/\s/g, ''));
    const confirm = await call(t.app, 'POST', '/api/account/mfa/confirm', {
      cookie,
      body: { code: totpCode(key, t.clock.now()) }
    });
    expect(confirm.json().recoveryCodes).toHaveLength(10);

    expect((await call(t.app, 'POST', '/api/onboarding/notice', { cookie, body: { accept: true } })).statusCode).toBe(200);
    me = await call(t.app, 'GET', '/api/me', { cookie });
    expect(me.json().member).toMatchObject({ status: 'active', onboarding: null, mfaEnabled: true });

    // Sign out, then sign in with password + TOTP.
    await call(t.app, 'POST', '/api/auth/sign-out', { cookie });
    expect((await call(t.app, 'GET', '/api/me', { cookie })).statusCode).toBe(401);
    const step1 = await call(t.app, 'POST', '/api/auth/sign-in', {
      body: { email: 'dana.whitfield@sheriff.example.gov', password: 'granite meadow pocket violin' }
    });
    expect(step1.json()).toEqual({ next: 'mfa' });
    cookie = cookiesFrom(step1);
    expect((await call(t.app, 'GET', '/api/me', { cookie })).statusCode).toBe(401);
    t.clock.advance(30_000);
    const code = totpCode(key, t.clock.now());
    const step2 = await call(t.app, 'POST', '/api/auth/mfa', { cookie, body: { code } });
    expect(step2.statusCode).toBe(200);
    cookie = cookiesFrom(step2, cookie);
    expect((await call(t.app, 'GET', '/api/me', { cookie })).json().member.email).toBe('dana.whitfield@sheriff.example.gov');

    const row = memberRow(t, me.json().member.id);
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
  });
});
