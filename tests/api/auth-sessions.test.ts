import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { call, cookiesFrom, makeApp, type TestApp } from '../support/app.ts';
import { createMember, sessionCookie } from '../support/factories.ts';
import { sessions } from '../../db/schema/index.ts';
import { HOUR, MINUTE } from '../../server/shared/clock.ts';
import { auditRows, isCleared, request, setCookie, signIn, signInFully } from '../support/security/helpers.ts';

const HTTPS_ORIGIN = 'https://connect.example.gov';
const NEW_PASSWORD = 'saffron tundra heron quartz';

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const me = (cookie: string) => call(t.app, 'GET', '/api/me', { cookie });

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Lax, Path=/, at most 12 h, and not Secure over http', async () => {
    t = await makeApp();
    const m = await createMember(t);
    const res = await signIn(t, m.email, m.password);
    expect(res.statusCode).toBe(200);
    const c = setCookie(res, 'tfc_session')!;
    expect(c).toBeDefined();
    expect(c.value).toMatch(/^[a-z2-7]{32}$/);
    expect(c.attrs.has('httponly')).toBe(true);
    expect(c.attrs.get('samesite')?.toLowerCase()).toBe('lax');
    expect(c.attrs.get('path')).toBe('/');
    expect(c.attrs.has('domain')).toBe(false);
    const maxAge = Number(c.attrs.get('max-age'));
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(12 * 3600);
    expect(c.attrs.has('secure')).toBe(false);
    // Only the hash of the token is stored.
    const ids = t.db
      .select({ id: sessions.id })
      .from(sessions)
      .all()
      .map((s) => s.id);
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(ids).not.toContain(c.value);
  });

  it('is __Host-tfc_session with Secure behind an https public origin', async () => {
    t = await makeApp({ env: { PUBLIC_ORIGIN: HTTPS_ORIGIN } });
    const m = await createMember(t);
    const res = await signIn(t, m.email, m.password, { origin: HTTPS_ORIGIN });
    expect(res.statusCode).toBe(200);
    expect(setCookie(res, 'tfc_session')).toBeUndefined();
    const c = setCookie(res, '__Host-tfc_session')!;
    expect(c).toBeDefined();
    expect(c.attrs.has('secure')).toBe(true);
    expect(c.attrs.has('httponly')).toBe(true);
    expect(c.attrs.get('samesite')?.toLowerCase()).toBe('lax');
    expect(c.attrs.get('path')).toBe('/');
    expect(c.attrs.has('domain')).toBe(false);
    const cookie = cookiesFrom(res);
    expect((await me(cookie)).statusCode).toBe(200);
    // The plain name is not honoured in this mode.
    expect((await me(`tfc_session=${c.value}`)).statusCode).toBe(401);
  });

  it('the MFA challenge cookie is HttpOnly, short-lived, and __Host- with Secure behind https', async () => {
    t = await makeApp({ env: { PUBLIC_ORIGIN: HTTPS_ORIGIN } });
    const m = await createMember(t, { mfa: true });
    const res = await signIn(t, m.email, m.password, { origin: HTTPS_ORIGIN });
    const c = setCookie(res, '__Host-tfc_mfa')!;
    expect(c).toBeDefined();
    expect(c.attrs.has('secure')).toBe(true);
    expect(c.attrs.has('httponly')).toBe(true);
    expect(c.attrs.get('path')).toBe('/');
    expect(Number(c.attrs.get('max-age'))).toBeLessThanOrEqual(300);
  });

  // Regression: a browser ignores a Set-Cookie for a __Host- name without Secure, so these "clears" do nothing there.
  it('clearing a __Host- cookie (sign-out, after MFA, sign out everywhere) carries Secure and Path=/', async () => {
    t = await makeApp({ env: { PUBLIC_ORIGIN: HTTPS_ORIGIN } });
    const m = await createMember(t, { mfa: true });
    const step1 = await signIn(t, m.email, m.password, { origin: HTTPS_ORIGIN });
    let cookie = cookiesFrom(step1);
    const step2 = await request(t, 'POST', '/api/auth/mfa', { cookie, origin: HTTPS_ORIGIN, body: { code: m.code() } });
    expect(step2.statusCode).toBe(200);
    const clearedChallenge = setCookie(step2, '__Host-tfc_mfa')!;
    expect(clearedChallenge && isCleared(clearedChallenge)).toBe(true);
    cookie = cookiesFrom(step2, cookie);

    const out = await request(t, 'POST', '/api/auth/sign-out', { cookie, origin: HTTPS_ORIGIN });
    expect(out.statusCode).toBe(200);
    const clearedSession = setCookie(out, '__Host-tfc_session')!;
    expect(clearedSession && isCleared(clearedSession)).toBe(true);

    const everywhere = await request(t, 'POST', '/api/account/sessions/revoke-all', {
      cookie: `__Host-tfc_session=${sessionCookie(t, m.id).split('=')[1]}`,
      origin: HTTPS_ORIGIN
    });
    expect(everywhere.statusCode).toBe(200);
    const clearedAll = setCookie(everywhere, '__Host-tfc_session')!;
    expect(clearedAll && isCleared(clearedAll)).toBe(true);

    for (const c of [clearedChallenge, clearedSession, clearedAll]) {
      expect(c.attrs.get('path')).toBe('/');
      expect(c.attrs.has('secure')).toBe(true);
    }
  });
});

describe('idle and absolute timeouts', () => {
  it('ends a session idle for 30 minutes and 1 second', async () => {
    t = await makeApp();
    const m = await createMember(t);
    const cookie = await signInFully(t, m);
    t.clock.advance(30 * MINUTE + 1000);
    expect((await me(cookie)).statusCode).toBe(401);
    // Expired sessions are removed, not just refused.
    expect(t.db.select().from(sessions).where(eq(sessions.memberId, m.id)).all()).toHaveLength(0);
  });

  it('keeps a session alive while it is used', async () => {
    t = await makeApp();
    const m = await createMember(t);
    const cookie = await signInFully(t, m);
    t.clock.advance(29 * MINUTE + 59_000);
    expect((await me(cookie)).statusCode).toBe(200);
    t.clock.advance(20 * MINUTE);
    expect((await me(cookie)).statusCode).toBe(200);
    t.clock.advance(20 * MINUTE);
    expect((await me(cookie)).statusCode).toBe(200);
    t.clock.advance(30 * MINUTE + 1000);
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('ends a session 12 hours after sign-in however active it is', async () => {
    t = await makeApp();
    const m = await createMember(t);
    const cookie = await signInFully(t, m);
    for (let i = 0; i < 35; i++) {
      t.clock.advance(20 * MINUTE);
      expect((await me(cookie)).statusCode).toBe(200);
    }
    // 11 h 40 min so far.
    t.clock.advance(19 * MINUTE + 59_000);
    expect((await me(cookie)).statusCode).toBe(200);
    t.clock.advance(2000);
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('follows SESSION_IDLE_MINUTES and SESSION_ABSOLUTE_HOURS', async () => {
    t = await makeApp({ env: { SESSION_IDLE_MINUTES: '5', SESSION_ABSOLUTE_HOURS: '1' } });
    const m = await createMember(t);
    const res = await signIn(t, m.email, m.password);
    expect(Number(setCookie(res, 'tfc_session')!.attrs.get('max-age'))).toBe(3600);
    const cookie = cookiesFrom(res);

    t.clock.advance(4 * MINUTE);
    expect((await me(cookie)).statusCode).toBe(200);
    for (let i = 0; i < 13; i++) {
      t.clock.advance(4 * MINUTE);
      expect((await me(cookie)).statusCode).toBe(200);
    }
    // 56 min: still inside the hour, but only with activity within 5 min.
    t.clock.advance(4 * MINUTE + 1000);
    expect((await me(cookie)).statusCode).toBe(401);

    const idle = await signInFully(t, m);
    t.clock.advance(5 * MINUTE + 1000);
    expect((await me(idle)).statusCode).toBe(401);
  });
});

describe('the pre-login (MFA challenge) cookie', () => {
  it('is not a session, and is cleared and useless once MFA is done', async () => {
    t = await makeApp();
    const m = await createMember(t, { mfa: true });
    const step1 = await signIn(t, m.email, m.password);
    const challenge = setCookie(step1, 'tfc_mfa')!;
    expect(challenge).toBeDefined();
    const cookie = cookiesFrom(step1);
    expect((await me(cookie)).statusCode).toBe(401);
    // Not even when presented under the session cookie's name.
    expect((await me(`tfc_session=${challenge.value}`)).statusCode).toBe(401);
    expect((await call(t.app, 'GET', '/api/account/sessions', { cookie })).statusCode).toBe(401);

    const step2 = await call(t.app, 'POST', '/api/auth/mfa', { cookie, body: { code: m.code() } });
    expect(step2.statusCode).toBe(200);
    const cleared = setCookie(step2, 'tfc_mfa')!;
    expect(cleared).toBeDefined();
    expect(isCleared(cleared)).toBe(true);
    const session = setCookie(step2, 'tfc_session')!;
    expect(session.value).not.toBe(challenge.value);

    // Replaying the old challenge with a fresh, valid code gives nothing.
    const replay = await call(t.app, 'POST', '/api/auth/mfa', { cookie, body: { code: m.code() } });
    expect(replay.statusCode).toBe(401);
    expect(setCookie(replay, 'tfc_session')).toBeUndefined();
  });

  it('expires after 5 minutes', async () => {
    t = await makeApp();
    const m = await createMember(t, { mfa: true });
    const cookie = cookiesFrom(await signIn(t, m.email, m.password));
    t.clock.advance(5 * MINUTE);
    const res = await call(t.app, 'POST', '/api/auth/mfa', { cookie, body: { code: m.code() } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/expired/);
  });
});

describe('ending sessions', () => {
  it('sign-out ends the session: the old cookie replayed gets 401', async () => {
    t = await makeApp();
    const m = await createMember(t);
    const cookie = await signInFully(t, m);
    expect((await me(cookie)).statusCode).toBe(200);
    const out = await call(t.app, 'POST', '/api/auth/sign-out', { cookie });
    expect(out.statusCode).toBe(200);
    expect(isCleared(setCookie(out, 'tfc_session')!)).toBe(true);
    expect((await me(cookie)).statusCode).toBe(401);
    expect(auditRows(t, 'auth.sign_out').map((r) => r.actor_id)).toEqual([m.id]);
  });

  it('lists my sessions with the current one flagged, and revokes one by its id', async () => {
    t = await makeApp();
    const m = await createMember(t);
    const other = await createMember(t);
    const a = await signInFully(t, m, { headers: { 'user-agent': 'Browser A' } });
    t.clock.advance(MINUTE);
    const b = await signInFully(t, m, { headers: { 'user-agent': 'Browser B' } });
    const stranger = await signInFully(t, other);

    const list = await call(t.app, 'GET', '/api/account/sessions', { cookie: a });
    expect(list.statusCode).toBe(200);
    const rows = list.json().sessions as { id: string; current: boolean; userAgent: string }[];
    expect(rows).toHaveLength(2);
    expect(rows.every((s) => /^[0-9a-f]{16}$/.test(s.id))).toBe(true);
    expect(rows.filter((s) => s.current).map((s) => s.userAgent)).toEqual(['Browser A']);
    const bId = rows.find((s) => s.userAgent === 'Browser B')!.id;

    const strangerId = (await call(t.app, 'GET', '/api/account/sessions', { cookie: stranger })).json().sessions[0].id;
    const foreign = await call(t.app, 'POST', `/api/account/sessions/${strangerId}/revoke`, { cookie: a });
    expect(foreign.statusCode).toBe(404);
    expect((await me(stranger)).statusCode).toBe(200);

    expect((await call(t.app, 'POST', '/api/account/sessions/zzzz/revoke', { cookie: a })).statusCode).toBe(400);

    const revoked = await call(t.app, 'POST', `/api/account/sessions/${bId}/revoke`, { cookie: a });
    expect(revoked.statusCode).toBe(200);
    expect((await me(b)).statusCode).toBe(401);
    expect((await me(a)).statusCode).toBe(200);
    expect(auditRows(t, 'session.revoked')).toHaveLength(1);
  });

  it('sign out everywhere ends every session, this one included', async () => {
    t = await makeApp();
    const m = await createMember(t);
    const cookies = [await signInFully(t, m), sessionCookie(t, m.id), sessionCookie(t, m.id)];
    const bystander = await createMember(t);
    const theirs = sessionCookie(t, bystander.id);
    const res = await call(t.app, 'POST', '/api/account/sessions/revoke-all', { cookie: cookies[1] });
    expect(res.statusCode).toBe(200);
    for (const cookie of cookies) expect((await me(cookie)).statusCode).toBe(401);
    expect((await me(theirs)).statusCode).toBe(200);
  });

  it('a password change ends the other sessions, keeps this browser signed in with a fresh cookie, and sends a mail', async () => {
    t = await makeApp();
    const m = await createMember(t);
    const here = await signInFully(t, m);
    const elsewhere = sessionCookie(t, m.id);
    const res = await call(t.app, 'POST', '/api/account/password', {
      cookie: here,
      body: { currentPassword: m.password, newPassword: NEW_PASSWORD }
    });
    expect(res.statusCode).toBe(200);
    const fresh = cookiesFrom(res, here);
    expect(fresh).not.toBe(here);
    expect((await me(fresh)).statusCode).toBe(200);
    expect((await me(here)).statusCode).toBe(401);
    expect((await me(elsewhere)).statusCode).toBe(401);

    await t.deps.bus.idle();
    const mail = t.mails().filter((x) => x.to === m.email);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toMatch(/password was changed/);
    expect(auditRows(t, 'auth.password_changed')).toHaveLength(1);

    // The old password no longer works, the new one does.
    expect((await signIn(t, m.email, m.password)).statusCode).toBe(401);
    expect((await signIn(t, m.email, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it('a wrong current password is refused on its field and changes nothing', async () => {
    t = await makeApp();
    const m = await createMember(t);
    const here = await signInFully(t, m);
    const elsewhere = sessionCookie(t, m.id);
    const res = await call(t.app, 'POST', '/api/account/password', {
      cookie: here,
      body: { currentPassword: 'definitely not my password', newPassword: NEW_PASSWORD }
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields.currentPassword).toBeTruthy();
    expect(setCookie(res, 'tfc_session')).toBeUndefined();
    expect((await me(here)).statusCode).toBe(200);
    expect((await me(elsewhere)).statusCode).toBe(200);
    expect((await signIn(t, m.email, m.password)).statusCode).toBe(200);
  });

  it('suspension ends the member’s sessions', async () => {
    t = await makeApp();
    const m = await createMember(t);
    const admin = await createMember(t, { role: 'admin' });
    const cookie = await signInFully(t, m);
    const res = await call(t.app, 'POST', `/api/admin/members/${m.id}/suspend`, {
      cookie: sessionCookie(t, admin.id),
      body: { reason: 'Left the agency' }
    });
    expect(res.statusCode).toBe(200);
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('a session stays bound to the absolute end set at sign-in', async () => {
    t = await makeApp();
    const m = await createMember(t);
    await signInFully(t, m);
    const row = t.db.select().from(sessions).where(eq(sessions.memberId, m.id)).get()!;
    expect(row.expiresAt - row.createdAt).toBe(12 * HOUR);
  });
});
