import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, cookiesFrom, makeApp, type TestApp } from '../support/app.ts';
import { createMember, memberRow, sessionCookie } from '../support/factories.ts';
import { totpCode } from '../../server/shared/totp.ts';
import { MINUTE } from '../../server/shared/clock.ts';
import { auditRows, enrolMfa, request, setCookie, signIn, signInFully, wrongCode } from '../support/security/helpers.ts';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.close();
});

const WRONG = 'not the right password at all';

/** Five wrong passwords in a row: the CJIS AC-7 threshold. */
async function failFiveTimes(email: string, ip = '127.0.0.1') {
  for (let i = 0; i < 5; i++) {
    const res = await signIn(t, email, `${WRONG} ${i}`, { ip });
    expect(res.statusCode).toBe(401);
  }
}

describe('account lockout (5 failures in 15 minutes)', () => {
  it('refuses the 6th attempt even with the correct password, and answers exactly like an unknown account', async () => {
    const m = await createMember(t);
    await failFiveTimes(m.email);
    expect(memberRow(t, m.id).lockedUntil).toBe(t.clock.now() + 30 * MINUTE);

    const locked = await signIn(t, m.email, m.password);
    expect(locked.statusCode).toBe(401);
    expect(setCookie(locked, 'tfc_session')).toBeUndefined();

    // The per-IP limit (6/min) has been reached; another network asks about an unknown account.
    const unknown = await signIn(t, 'nobody.here@agency.example.gov', m.password, { ip: '10.0.0.2' });
    expect(unknown.statusCode).toBe(locked.statusCode);
    expect(unknown.json()).toEqual(locked.json());
    expect(unknown.headers['content-type']).toBe(locked.headers['content-type']);

    // And a wrong password on an active account answers the same way.
    const other = await createMember(t);
    const wrong = await signIn(t, other.email, WRONG, { ip: '10.0.0.3' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual(locked.json());
  });

  it('records every failure and the lockout in the audit log, without the password', async () => {
    const m = await createMember(t);
    await failFiveTimes(m.email);
    await signIn(t, m.email, m.password);
    const failed = auditRows(t, 'auth.sign_in_failed').filter((r) => r.actor_id === m.id);
    expect(failed).toHaveLength(6);
    expect(failed.every((r) => r.outcome === 'failure' && r.ip === '127.0.0.1')).toBe(true);
    const lockout = auditRows(t, 'auth.lockout');
    expect(lockout).toHaveLength(1);
    expect(lockout[0]!.target_id).toBe(String(m.id));
    expect(JSON.stringify(auditRows(t))).not.toContain(WRONG);
    expect(JSON.stringify(auditRows(t))).not.toContain(m.password);
  });

  it('does not lock for five failures spread over more than 15 minutes', async () => {
    const m = await createMember(t);
    for (let i = 0; i < 4; i++) expect((await signIn(t, m.email, WRONG)).statusCode).toBe(401);
    t.clock.advance(15 * MINUTE + 1000);
    expect((await signIn(t, m.email, WRONG)).statusCode).toBe(401);
    expect(memberRow(t, m.id).lockedUntil).toBeNull();
    expect((await signIn(t, m.email, m.password)).statusCode).toBe(200);
  });

  it('unlocks by itself after 30 minutes, not before', async () => {
    const m = await createMember(t);
    await failFiveTimes(m.email);
    t.clock.advance(29 * MINUTE);
    expect((await signIn(t, m.email, m.password)).statusCode).toBe(401);
    t.clock.advance(1 * MINUTE + 1000);
    const res = await signIn(t, m.email, m.password);
    expect(res.statusCode).toBe(200);
    expect((await call(t.app, 'GET', '/api/me', { cookie: cookiesFrom(res) })).statusCode).toBe(200);
    // A successful sign-in starts the count again.
    expect(memberRow(t, m.id)).toMatchObject({ failedSignIns: 0, lockedUntil: null });
  });

  it('can be unlocked by an admin', async () => {
    const m = await createMember(t);
    const admin = await createMember(t, { role: 'admin' });
    await failFiveTimes(m.email);
    expect((await signIn(t, m.email, m.password, { ip: '10.0.0.9' })).statusCode).toBe(401);

    const unlock = await call(t.app, 'POST', `/api/admin/members/${m.id}/unlock`, { cookie: sessionCookie(t, admin.id) });
    expect(unlock.statusCode).toBe(200);
    expect(auditRows(t, 'member.unlocked').map((r) => [r.actor_id, r.target_id])).toEqual([[admin.id, String(m.id)]]);

    const res = await signIn(t, m.email, m.password, { ip: '10.0.0.9' });
    expect(res.statusCode).toBe(200);
  });

  it('an ordinary member cannot unlock anyone', async () => {
    const m = await createMember(t);
    const peer = await createMember(t);
    await failFiveTimes(m.email);
    const res = await call(t.app, 'POST', `/api/admin/members/${m.id}/unlock`, { cookie: sessionCookie(t, peer.id) });
    expect(res.statusCode).toBe(403);
    expect(memberRow(t, m.id).lockedUntil).not.toBeNull();
  });
});

describe('per-IP throttle (6 a minute, 30 an hour)', () => {
  it('answers the 7th rapid attempt from one address with 429, Retry-After and a clear message', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await signIn(t, `someone${i}@agency.example.gov`, WRONG);
      expect(res.statusCode).toBe(401);
    }
    const seventh = await signIn(t, 'someone7@agency.example.gov', WRONG);
    expect(seventh.statusCode).toBe(429);
    const retryAfter = Number(seventh.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(seventh.json().error.message).toMatch(/too many sign-in attempts/i);
    expect(seventh.json().error.message).toContain(`${retryAfter} seconds`);

    // Another address is not affected; the same one may try again once the minute has passed.
    expect((await signIn(t, 'someone8@agency.example.gov', WRONG, { ip: '10.1.1.1' })).statusCode).toBe(401);
    t.clock.advance(retryAfter * 1000);
    expect((await signIn(t, 'someone9@agency.example.gov', WRONG)).statusCode).toBe(401);
  });

  it('throttled attempts count even with the correct password, so a locked-out guesser cannot probe', async () => {
    const m = await createMember(t);
    for (let i = 0; i < 6; i++) await signIn(t, `x${i}@agency.example.gov`, WRONG);
    const res = await signIn(t, m.email, m.password);
    expect(res.statusCode).toBe(429);
    expect(setCookie(res, 'tfc_session')).toBeUndefined();
  });

  it('allows at most 30 attempts an hour from one address', async () => {
    for (let minute = 0; minute < 6; minute++) {
      for (let i = 0; i < 5; i++) {
        expect((await signIn(t, `p${minute}-${i}@agency.example.gov`, WRONG)).statusCode).toBe(401);
      }
      t.clock.advance(MINUTE + 1000);
    }
    const res = await signIn(t, 'p-last@agency.example.gov', WRONG);
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(60);
  });
});

describe('two-step verification at sign-in', () => {
  it('a correct password alone gives no session; the correct code does', async () => {
    const m = await createMember(t, { mfa: true });
    const step1 = await signIn(t, m.email, m.password);
    expect(step1.statusCode).toBe(200);
    expect(step1.json()).toEqual({ next: 'mfa' });
    expect(setCookie(step1, 'tfc_session')).toBeUndefined();
    const cookie = cookiesFrom(step1);
    expect(cookie).toMatch(/^tfc_mfa=/);
    expect((await call(t.app, 'GET', '/api/me', { cookie })).statusCode).toBe(401);

    const step2 = await call(t.app, 'POST', '/api/auth/mfa', { cookie, body: { code: m.code() } });
    expect(step2.statusCode).toBe(200);
    const session = cookiesFrom(step2, cookie);
    const me = await call(t.app, 'GET', '/api/me', { cookie: session });
    expect(me.statusCode).toBe(200);
    expect(me.json().member.id).toBe(m.id);
    expect(auditRows(t, 'auth.sign_in').map((r) => JSON.parse(r.detail ?? '{}').via)).toEqual(['totp']);
  });

  it('a code without a pending sign-in step does nothing', async () => {
    const m = await createMember(t, { mfa: true });
    const res = await call(t.app, 'POST', '/api/auth/mfa', { body: { code: m.code() } });
    expect(res.statusCode).toBe(401);
    expect(setCookie(res, 'tfc_session')).toBeUndefined();
  });

  it('refuses a TOTP code that was already used (same time step), then accepts the next step', async () => {
    const m = await createMember(t, { mfa: true });
    const code = m.code();
    let cookie = cookiesFrom(await signIn(t, m.email, m.password));
    expect((await call(t.app, 'POST', '/api/auth/mfa', { cookie, body: { code } })).statusCode).toBe(200);

    cookie = cookiesFrom(await signIn(t, m.email, m.password));
    const replay = await call(t.app, 'POST', '/api/auth/mfa', { cookie, body: { code } });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.message).toMatch(/only once/);
    expect(setCookie(replay, 'tfc_session')).toBeUndefined();

    // The same challenge still works with the next step's code: the refusal was the replay.
    const next = await call(t.app, 'POST', '/api/auth/mfa', { cookie, body: { code: m.code() } });
    expect(next.statusCode).toBe(200);
  });

  it('refuses an earlier step even when it is still inside the drift window', async () => {
    const m = await createMember(t, { mfa: true });
    const earlier = totpCode(m.totpKey!, t.clock.now());
    const later = m.code();
    let cookie = cookiesFrom(await signIn(t, m.email, m.password));
    expect((await call(t.app, 'POST', '/api/auth/mfa', { cookie, body: { code: later } })).statusCode).toBe(200);
    cookie = cookiesFrom(await signIn(t, m.email, m.password));
    expect((await call(t.app, 'POST', '/api/auth/mfa', { cookie, body: { code: earlier } })).statusCode).toBe(401);
  });

  it('a recovery code works once, then is refused', async () => {
    const m = await createMember(t, { mfa: false });
    const { recoveryCodes } = await enrolMfa(t, sessionCookie(t, m.id));
    expect(recoveryCodes).toHaveLength(10);
    const recovery = recoveryCodes[3]!;

    let cookie = cookiesFrom(await signIn(t, m.email, m.password));
    const first = await call(t.app, 'POST', '/api/auth/mfa', { cookie, body: { code: recovery } });
    expect(first.statusCode).toBe(200);
    const session = cookiesFrom(first, cookie);
    const me = await call(t.app, 'GET', '/api/me', { cookie: session });
    expect(me.json().member.recoveryCodesLeft).toBe(9);
    expect(auditRows(t, 'mfa.recovery_code_used')).toHaveLength(1);

    cookie = cookiesFrom(await signIn(t, m.email, m.password));
    const again = await call(t.app, 'POST', '/api/auth/mfa', { cookie, body: { code: recovery } });
    expect(again.statusCode).toBe(401);
    // Typed differently (upper case, no dash): still the same used code.
    const retyped = await call(t.app, 'POST', '/api/auth/mfa', {
      cookie,
      body: { code: recovery.replace('-', '').toUpperCase() }
    });
    expect(retyped.statusCode).toBe(401);
  });

  it('five wrong codes lock the account; then even the right code and password are refused', async () => {
    const m = await createMember(t, { mfa: true });
    const cookie = cookiesFrom(await signIn(t, m.email, m.password));
    for (let i = 0; i < 5; i++) {
      const res = await call(t.app, 'POST', '/api/auth/mfa', { cookie, body: { code: wrongCode(m.totpKey!, t.clock.now()) } });
      expect(res.statusCode).toBe(401);
    }
    expect(memberRow(t, m.id).lockedUntil).toBeGreaterThan(t.clock.now());
    expect(auditRows(t, 'auth.mfa_failed')).toHaveLength(5);
    expect(auditRows(t, 'auth.lockout')).toHaveLength(1);

    t.clock.advance(MINUTE);
    const withRightCode = await call(t.app, 'POST', '/api/auth/mfa', { cookie, body: { code: m.code() } });
    expect(withRightCode.statusCode).toBe(401);
    expect(setCookie(withRightCode, 'tfc_session')).toBeUndefined();
    expect((await signIn(t, m.email, m.password)).statusCode).toBe(401);
  });
});

describe('who may enter after a correct password', () => {
  it('a suspended member learns of the suspension only after the correct password', async () => {
    const m = await createMember(t, { status: 'suspended' });
    const wrong = await signIn(t, m.email, WRONG);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.message).not.toMatch(/suspend/i);

    const right = await signIn(t, m.email, m.password);
    expect(right.statusCode).toBe(403);
    expect(right.json().error.message).toMatch(/suspended/i);
    expect(setCookie(right, 'tfc_session')).toBeUndefined();
  });

  it('a suspended member with MFA is not asked for a code first', async () => {
    const m = await createMember(t, { status: 'suspended', mfa: true });
    const right = await signIn(t, m.email, m.password);
    expect(right.statusCode).toBe(403);
    expect(setCookie(right, 'tfc_mfa')).toBeUndefined();
  });

  it('staff without two-step verification are sent to set it up and see no staff pages', async () => {
    const m = await createMember(t, { role: 'moderator', mfa: false });
    const cookie = await signInFully(t, m);
    const me = await call(t.app, 'GET', '/api/me', { cookie });
    expect(me.statusCode).toBe(200);
    expect(me.json().member.onboarding).toBe('mfa');
    expect((await call(t.app, 'GET', '/api/admin/counts', { cookie })).statusCode).toBe(403);
    expect((await call(t.app, 'POST', '/api/onboarding/notice', { cookie, body: { accept: true } })).statusCode).toBe(409);

    // Once enrolled, the same session may use the staff pages.
    await enrolMfa(t, cookie);
    expect((await call(t.app, 'GET', '/api/me', { cookie })).json().member.onboarding).toBeNull();
    expect((await call(t.app, 'GET', '/api/admin/counts', { cookie })).statusCode).toBe(200);
  });

  it('signs in case-insensitively by e-mail and records the sign-in', async () => {
    const m = await createMember(t);
    const res = await request(t, 'POST', '/api/auth/sign-in', {
      body: { email: `  ${m.email.toUpperCase()} `, password: m.password },
      headers: { 'user-agent': 'Sign-in test browser' }
    });
    expect(res.statusCode).toBe(200);
    const rows = auditRows(t, 'auth.sign_in');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_id: m.id, ip: '127.0.0.1', user_agent: 'Sign-in test browser', outcome: 'success' });
  });
});
