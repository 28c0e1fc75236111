import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { call, cookiesFrom, makeApp, type TestApp } from '../support/app.ts';
import { createMember, memberRow, sessionCookie, type TestMember } from '../support/factories.ts';
import { tokens } from '../../db/schema/index.ts';
import { MINUTE } from '../../server/shared/clock.ts';
import { hashToken } from '../../server/shared/tokens.ts';
import { auditRows, passphrase, request, signIn, wrongCode } from '../support/security/helpers.ts';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.close();
});

/** A member changing their own password, keeping track of the current one and of the refreshed cookie. */
async function changer(opts: { name?: string; email?: string } = {}) {
  const m = await createMember(t, opts);
  const state = { current: m.password, cookie: sessionCookie(t, m.id) };
  return {
    m,
    async change(newPassword: string) {
      const res = await call(t.app, 'POST', '/api/account/password', {
        cookie: state.cookie,
        body: { currentPassword: state.current, newPassword }
      });
      if (res.statusCode === 200) {
        state.current = newPassword;
        state.cookie = cookiesFrom(res, state.cookie);
      }
      return res;
    }
  };
}

async function resetToken(member: Pick<TestMember, 'email'>, ip = '127.0.0.1'): Promise<string> {
  const res = await request(t, 'POST', '/api/auth/password-reset/request', { body: { email: member.email }, ip });
  expect(res.statusCode).toBe(200);
  await t.deps.bus.idle();
  return t.linkFor(member.email, '/reset-password');
}

function resetRow(token: string) {
  return t.db
    .select()
    .from(tokens)
    .where(and(eq(tokens.id, hashToken(token)), eq(tokens.purpose, 'password_reset')))
    .get();
}

describe('password length (15 to 256, no truncation)', () => {
  it('refuses 14 characters with the reason, and accepts exactly 15', async () => {
    const { change } = await changer();
    const short = await change('plum river fox');
    expect('plum river fox').toHaveLength(14);
    expect(short.statusCode).toBe(400);
    expect(short.json().error.message).toMatch(/15/);
    expect(short.json().error.fields.newPassword).toMatch(/15/);

    const fifteen = 'Kq7#vLm2pX9!zR4';
    expect(fifteen).toHaveLength(15);
    expect((await change(fifteen)).statusCode).toBe(200);
  });

  it('accepts 64 and 256 characters, refuses 257', async () => {
    const { m, change } = await changer();
    const p64 = passphrase(64);
    const p256 = passphrase(256, 7);
    expect([p64.length, p256.length]).toEqual([64, 256]);
    expect((await change(p64)).statusCode).toBe(200);
    expect((await change(p256)).statusCode).toBe(200);
    expect((await signIn(t, m.email, p256)).statusCode).toBe(200);

    const long = await change(`${passphrase(256, 3)}x`);
    expect(long.statusCode).toBe(400);
    expect(long.json().error.message).toMatch(/256/);
    expect(long.json().error.fields.newPassword).toMatch(/256/);
  });

  it('counts characters, not bytes: 15 accented letters and symbols are enough', async () => {
    const { change } = await changer();
    const accented = 'çœüßéøåñ€¥ßðþæ§';
    expect([...accented]).toHaveLength(15);
    expect((await change(accented)).statusCode).toBe(200);
  });

  it('never truncates: pw+"x", pw without its last character and a change past byte 72 all fail', async () => {
    const { m, change } = await changer();
    const pw = passphrase(100, 11);
    expect((await change(pw)).statusCode).toBe(200);
    expect((await signIn(t, m.email, `${pw}x`)).statusCode).toBe(401);
    expect((await signIn(t, m.email, pw.slice(0, -1))).statusCode).toBe(401);
    const past72 = `${pw.slice(0, 80)}${pw[80] === 'Z' ? 'Y' : 'Z'}${pw.slice(81)}`;
    expect((await signIn(t, m.email, past72)).statusCode).toBe(401);
    t.clock.advance(MINUTE);
    expect((await signIn(t, m.email, pw)).statusCode).toBe(200);
  });

  it('a password set at activation is not truncated either', async () => {
    const tfAdmin = await createMember(t, { role: 'admin' });
    const applicant = {
      fullName: 'Imogen Castellanos',
      email: 'imogen.castellanos@pd.example.gov',
      agency: 'Example Police Department',
      jobTitle: 'Investigator',
      discipline: 'law_enforcement',
      taskForceId: null,
      supervisorName: 'Lt. Ada Brooks',
      supervisorContact: 'ada.brooks@pd.example.gov',
      reason: 'Labor trafficking investigations in the region.'
    };
    expect((await call(t.app, 'POST', '/api/membership-requests', { body: applicant })).statusCode).toBe(202);
    await t.deps.bus.idle();
    const confirm = t.linkFor(applicant.email, '/request-access/confirm');
    expect((await call(t.app, 'POST', '/api/membership-requests/confirm', { body: { token: confirm } })).statusCode).toBe(200);
    const adminCookie = sessionCookie(t, tfAdmin.id);
    const id = (await call(t.app, 'GET', '/api/admin/membership-requests', { cookie: adminCookie })).json().requests[0].id;
    expect((await call(t.app, 'POST', `/api/admin/membership-requests/${id}/approve`, { cookie: adminCookie })).statusCode).toBe(
      200
    );
    await t.deps.bus.idle();
    const activation = t.linkFor(applicant.email, '/activate');
    const pw = passphrase(40, 20);

    const weak = await call(t.app, 'POST', '/api/activation', { body: { token: activation, password: 'castellanos2024!!' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.fields.password).toBeTruthy();

    expect((await call(t.app, 'POST', '/api/activation', { body: { token: activation, password: pw } })).statusCode).toBe(200);
    expect((await signIn(t, applicant.email, `${pw}x`)).statusCode).toBe(401);
    expect((await signIn(t, applicant.email, pw)).statusCode).toBe(200);
  });

  it('stores an Argon2id hash', async () => {
    const { m, change } = await changer();
    expect((await change(passphrase(30, 5))).statusCode).toBe(200);
    const hash = memberRow(t, m.id).passwordHash!;
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(hash).not.toContain(passphrase(30, 5));
  });
});

describe('blocklist: common and context passwords', () => {
  const name = 'Rosalind Quimby';
  const email = 'rquimby@sheriff.example.gov';
  const samples = [
    'passwordpassword',
    'qwertyuiopasdfgh',
    'trafficking2024!!',
    'taskforceconnect1',
    'ecm-task-force-2026',
    'Humantrafficking1',
    'Task Force Connect 2026',
    'RosalindQuimby2026!',
    'rosalind.quimby.1975',
    'rquimby1234567890',
    '123456789012345',
    'aaaaaaaaaaaaaaaa',
    'iloveyouiloveyou',
    'password12345678'
  ];

  it('refuses every sampled entry on a password change, with the reason on the field', async () => {
    const { m, change } = await changer({ name, email });
    for (const pw of samples) {
      expect(pw.length, pw).toBeGreaterThanOrEqual(15);
      const res = await change(pw);
      expect(res.statusCode, pw).toBe(400);
      const error = res.json().error;
      expect(error.message, pw).toMatch(/\w{3,}/);
      expect(error.fields.newPassword, pw).toMatch(/\w{3,}/);
    }
    // Nothing was changed.
    expect((await signIn(t, m.email, m.password)).statusCode).toBe(200);
  });

  it('refuses them on a reset too, without using up the link', async () => {
    const m = await createMember(t, { name, email });
    const token = await resetToken(m);
    for (const pw of samples) {
      const res = await call(t.app, 'POST', '/api/auth/password-reset', { body: { token, password: pw } });
      expect(res.statusCode, pw).toBe(400);
      expect(res.json().error.message, pw).toMatch(/\w{3,}/);
      expect(res.json().error.fields.password, pw).toMatch(/\w{3,}/);
    }
    expect(resetRow(token)!.usedAt).toBeNull();
    expect(
      (await call(t.app, 'POST', '/api/auth/password-reset', { body: { token, password: passphrase(24) } })).statusCode
    ).toBe(200);
  });

  it('says why a context password is refused', async () => {
    const { change } = await changer({ name, email });
    const res = await change('RosalindQuimby2026!');
    expect(res.json().error.message).toMatch(/name|e-mail|site/i);
  });
});

describe('password reset', () => {
  it('answers the same for a member and for an unknown address; only the member gets a mail', async () => {
    const m = await createMember(t);
    const known = await call(t.app, 'POST', '/api/auth/password-reset/request', { body: { email: m.email } });
    const unknown = await call(t.app, 'POST', '/api/auth/password-reset/request', {
      body: { email: 'no.such.person@agency.example.gov' }
    });
    expect(known.statusCode).toBe(200);
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(unknown.body).toBe(known.body);
    expect(unknown.headers['content-type']).toBe(known.headers['content-type']);
    await t.deps.bus.idle();
    expect(t.mails().map((x) => x.to)).toEqual([m.email]);
    expect(t.mails()[0]!.subject).toMatch(/reset your password/);
  });

  it('answers the same for a suspended member, and sends no mail', async () => {
    const m = await createMember(t, { status: 'suspended' });
    const res = await call(t.app, 'POST', '/api/auth/password-reset/request', { body: { email: m.email } });
    const unknown = await call(t.app, 'POST', '/api/auth/password-reset/request', { body: { email: 'x.y@agency.example.gov' } });
    expect(res.body).toBe(unknown.body);
    await t.deps.bus.idle();
    expect(t.mails()).toHaveLength(0);
  });

  it('a reset link works once', async () => {
    const m = await createMember(t);
    const token = await resetToken(m);
    const info = await call(t.app, 'GET', `/api/auth/password-reset?token=${token}`);
    expect(info.json()).toEqual({ mfaRequired: false });
    const first = await call(t.app, 'POST', '/api/auth/password-reset', { body: { token, password: passphrase(24) } });
    expect(first.statusCode).toBe(200);
    const second = await call(t.app, 'POST', '/api/auth/password-reset', { body: { token, password: passphrase(24, 9) } });
    expect(second.statusCode).toBe(410);
    expect((await call(t.app, 'GET', `/api/auth/password-reset?token=${token}`)).statusCode).toBe(410);
    expect((await signIn(t, m.email, passphrase(24))).statusCode).toBe(200);
    expect(auditRows(t, 'auth.password_reset')).toHaveLength(1);
  });

  it('a reset link expires after 1 hour', async () => {
    const m = await createMember(t);
    const token = await resetToken(m);
    t.clock.advance(59 * MINUTE);
    expect((await call(t.app, 'GET', `/api/auth/password-reset?token=${token}`)).statusCode).toBe(200);
    t.clock.advance(2 * MINUTE);
    expect((await call(t.app, 'GET', `/api/auth/password-reset?token=${token}`)).statusCode).toBe(410);
    const res = await call(t.app, 'POST', '/api/auth/password-reset', { body: { token, password: passphrase(24) } });
    expect(res.statusCode).toBe(410);
    expect(res.json().error.message).toMatch(/expired/);
    expect((await signIn(t, m.email, m.password)).statusCode).toBe(200);
  });

  it('a newer link replaces an older one', async () => {
    const m = await createMember(t);
    const older = await resetToken(m);
    t.clock.advance(MINUTE);
    const newer = await resetToken(m);
    expect(newer).not.toBe(older);
    expect(
      (await call(t.app, 'POST', '/api/auth/password-reset', { body: { token: older, password: passphrase(24) } })).statusCode
    ).toBe(410);
    expect(
      (await call(t.app, 'POST', '/api/auth/password-reset', { body: { token: newer, password: passphrase(24) } })).statusCode
    ).toBe(200);
  });

  it('never bypasses MFA: no code or a wrong code is refused and leaves the link unused; the right code works', async () => {
    const m = await createMember(t, { mfa: true });
    const token = await resetToken(m);
    expect((await call(t.app, 'GET', `/api/auth/password-reset?token=${token}`)).json()).toEqual({ mfaRequired: true });
    const password = passphrase(24);

    const none = await call(t.app, 'POST', '/api/auth/password-reset', { body: { token, password } });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.fields.code).toBeTruthy();
    const empty = await call(t.app, 'POST', '/api/auth/password-reset', { body: { token, password, code: '' } });
    expect(empty.statusCode).toBe(400);
    const wrong = await call(t.app, 'POST', '/api/auth/password-reset', {
      body: { token, password, code: wrongCode(m.totpKey!, t.clock.now()) }
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.fields.code).toBeTruthy();
    expect(resetRow(token)!.usedAt).toBeNull();
    expect(memberRow(t, m.id).passwordHash).not.toBeNull();
    expect((await signIn(t, m.email, password)).statusCode).toBe(401);

    const right = await call(t.app, 'POST', '/api/auth/password-reset', { body: { token, password, code: m.code() } });
    expect(right.statusCode).toBe(200);
    expect(resetRow(token)!.usedAt).not.toBeNull();
    // Still two steps afterwards.
    const after = await signIn(t, m.email, password, { ip: '10.0.0.5' });
    expect(after.json()).toEqual({ next: 'mfa' });
  });

  // Regression: wrong codes on the reset form once went uncounted, so a reset link allowed an hour of TOTP guessing.
  it('wrong codes on the reset form count towards the lockout like wrong codes at sign-in', async () => {
    const m = await createMember(t, { mfa: true });
    const token = await resetToken(m);
    const password = passphrase(24);
    for (let i = 0; i < 5; i++) {
      const res = await call(t.app, 'POST', '/api/auth/password-reset', {
        body: { token, password, code: wrongCode(m.totpKey!, t.clock.now()) }
      });
      expect(res.statusCode).toBe(400);
    }
    const sixth = await call(t.app, 'POST', '/api/auth/password-reset', { body: { token, password, code: m.code() } });
    expect(sixth.statusCode).not.toBe(200);
    expect(auditRows(t, 'auth.lockout')).toHaveLength(1);
  });

  it('ends every session of the member and lifts a lockout', async () => {
    const m = await createMember(t);
    const cookies = [sessionCookie(t, m.id), sessionCookie(t, m.id)];
    for (let i = 0; i < 5; i++) await signIn(t, m.email, `wrong password number ${i}`, { ip: '10.9.9.9' });
    expect(memberRow(t, m.id).lockedUntil).not.toBeNull();
    const token = await resetToken(m);
    const password = passphrase(24);
    expect((await call(t.app, 'POST', '/api/auth/password-reset', { body: { token, password } })).statusCode).toBe(200);
    for (const cookie of cookies) expect((await call(t.app, 'GET', '/api/me', { cookie })).statusCode).toBe(401);
    expect((await signIn(t, m.email, password)).statusCode).toBe(200);
    await t.deps.bus.idle();
    expect(t.mails().some((x) => x.to === m.email && /password was changed/.test(x.subject))).toBe(true);
  });

  it('throttles reset requests from one address with 429 and Retry-After', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await call(t.app, 'POST', '/api/auth/password-reset/request', { body: { email: `r${i}@agency.example.gov` } });
      expect(res.statusCode).toBe(200);
    }
    const sixth = await call(t.app, 'POST', '/api/auth/password-reset/request', { body: { email: 'r6@agency.example.gov' } });
    expect(sixth.statusCode).toBe(429);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
  });
});
