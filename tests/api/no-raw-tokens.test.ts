import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, cookiesFrom, makeApp, type TestApp } from '../support/app.ts';
import { createMember, createTaskForce, sessionCookie } from '../support/factories.ts';
import { hashToken } from '../../server/shared/tokens.ts';
import { totpCode } from '../../server/shared/totp.ts';
import { base32Decode } from '../support/totp.ts';
import { auditRows, setCookie, wrongCode } from '../support/security/helpers.ts';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.close();
});

const EMAIL = 'marisol.okafor@sheriff.example.gov';
const FIRST_PASSWORD = 'granite meadow pocket violin';
const SECOND_PASSWORD = 'saffron tundra heron quartz';
const THIRD_PASSWORD = 'cobalt willow basalt lichen';
const WRONG_PASSWORDS = ['granite meadow pocket violins', 'Granite Meadow Pocket Violin'];

/** Every raw secret seen during the flow, by what it is. */
class Secrets {
  readonly strings = new Map<string, string>();
  readonly codes = new Set<string>();
  readonly bytes: Uint8Array[] = [];
  add(label: string, value: string | undefined) {
    if (!value) throw new Error(`no value for ${label}`);
    this.strings.set(value, label);
  }
  code(value: string) {
    this.codes.add(value);
    return value;
  }
  cookie(label: string, res: { headers: Record<string, unknown> }, name: string) {
    const c = setCookie(res, name);
    this.add(label, c?.value);
    return c!.value;
  }
}

function dump(t: TestApp, except: string[]) {
  const tables = (
    t.db.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
  )
    .map((r) => r.name)
    .filter((n) => !except.includes(n));
  const cells: { where: string; text: string; raw?: Buffer }[] = [];
  for (const table of tables) {
    const rows = t.db.$client.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[];
    rows.forEach((row, i) => {
      for (const [column, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        const where = `${table}[${i}].${column}`;
        if (Buffer.isBuffer(value))
          cells.push({ where, text: `${value.toString('utf8')} ${value.toString('latin1')}`, raw: value });
        else cells.push({ where, text: String(value) });
      }
    });
  }
  return { tables, cells };
}

describe('no raw token, code or password at rest', () => {
  it('a whole journey leaves only hashes and sealed values in the database', async () => {
    const s = new Secrets();
    const tf = createTaskForce(t);
    const coordinator = await createMember(t, { role: 'coordinator', taskForceId: tf.id });
    const coordinatorCookie = sessionCookie(t, coordinator.id);
    s.add('factory session', coordinatorCookie.split('=')[1]);

    // Request → confirm → approve.
    const requested = await call(t.app, 'POST', '/api/membership-requests', {
      body: {
        fullName: 'Marisol Okafor',
        email: EMAIL,
        agency: 'Example County Sheriff',
        jobTitle: 'Victim Specialist',
        discipline: 'victim_services',
        taskForceId: tf.id,
        supervisorName: 'Lt. Ada Brooks',
        supervisorContact: 'ada.brooks@sheriff.example.gov',
        reason: 'I support survivors referred by the task force.'
      }
    });
    expect(requested.statusCode).toBe(202);
    await t.deps.bus.idle();
    const confirmToken = t.linkFor(EMAIL, '/request-access/confirm');
    s.add('e-mail confirmation token', confirmToken);
    const confirmed = await call(t.app, 'POST', '/api/membership-requests/confirm', { body: { token: confirmToken } });
    expect(confirmed.statusCode).toBe(200);
    const statusToken = confirmed.json().statusToken as string;
    s.add('status token', statusToken);
    expect((await call(t.app, 'GET', `/api/membership-requests/status?token=${statusToken}`)).statusCode).toBe(200);
    const requestId = (await call(t.app, 'GET', '/api/admin/membership-requests', { cookie: coordinatorCookie })).json()
      .requests[0].id;
    expect(
      (await call(t.app, 'POST', `/api/admin/membership-requests/${requestId}/approve`, { cookie: coordinatorCookie })).statusCode
    ).toBe(200);
    await t.deps.bus.idle();

    // Activate → MFA → notice.
    const activationToken = t.linkFor(EMAIL, '/activate');
    s.add('activation token', activationToken);
    const activated = await call(t.app, 'POST', '/api/activation', {
      body: { token: activationToken, password: FIRST_PASSWORD }
    });
    expect(activated.statusCode).toBe(200);
    s.cookie('activation session', activated, 'tfc_session');
    let cookie = cookiesFrom(activated);
    const start = await call(t.app, 'POST', '/api/account/mfa/start', { cookie });
    const manualKey = start.json().manualKey as string;
    const key = base32Decode(manualKey.replace(/\s/g, ''));
    s.add('TOTP key (manual, spaced)', manualKey);
    s.add('TOTP key (manual)', manualKey.replace(/\s/g, ''));
    s.add('TOTP key (lower case)', manualKey.replace(/\s/g, '').toLowerCase());
    s.add('TOTP key (hex)', Buffer.from(key).toString('hex'));
    s.add('TOTP key (base64)', Buffer.from(key).toString('base64'));
    s.add('TOTP URI', start.json().uri);
    s.bytes.push(key);
    const confirm = await call(t.app, 'POST', '/api/account/mfa/confirm', {
      cookie,
      body: { code: s.code(totpCode(key, t.clock.now())) }
    });
    const recoveryCodes = confirm.json().recoveryCodes as string[];
    expect(recoveryCodes).toHaveLength(10);
    for (const rc of recoveryCodes) {
      s.add('recovery code', rc);
      s.add('recovery code (normalised)', rc.replace('-', ''));
    }
    expect((await call(t.app, 'POST', '/api/onboarding/notice', { cookie, body: { accept: true } })).statusCode).toBe(200);
    expect((await call(t.app, 'POST', '/api/auth/sign-out', { cookie })).statusCode).toBe(200);

    // Failed attempts, then password + TOTP.
    for (const wrong of WRONG_PASSWORDS) {
      expect((await call(t.app, 'POST', '/api/auth/sign-in', { body: { email: EMAIL, password: wrong } })).statusCode).toBe(401);
    }
    let step1 = await call(t.app, 'POST', '/api/auth/sign-in', { body: { email: EMAIL, password: FIRST_PASSWORD } });
    s.cookie('MFA challenge', step1, 'tfc_mfa');
    cookie = cookiesFrom(step1);
    const badCode = s.code(wrongCode(key, t.clock.now()));
    expect((await call(t.app, 'POST', '/api/auth/mfa', { cookie, body: { code: badCode } })).statusCode).toBe(401);
    t.clock.advance(30_000);
    let step2 = await call(t.app, 'POST', '/api/auth/mfa', { cookie, body: { code: s.code(totpCode(key, t.clock.now())) } });
    expect(step2.statusCode).toBe(200);
    s.cookie('session after TOTP', step2, 'tfc_session');

    // A recovery code.
    step1 = await call(t.app, 'POST', '/api/auth/sign-in', { body: { email: EMAIL, password: FIRST_PASSWORD } });
    s.cookie('MFA challenge 2', step1, 'tfc_mfa');
    cookie = cookiesFrom(step1);
    step2 = await call(t.app, 'POST', '/api/auth/mfa', { cookie, body: { code: recoveryCodes[0] } });
    expect(step2.statusCode).toBe(200);
    s.cookie('session after recovery code', step2, 'tfc_session');
    cookie = cookiesFrom(step2, cookie);

    // Password change, then a reset.
    const changed = await call(t.app, 'POST', '/api/account/password', {
      cookie,
      body: { currentPassword: FIRST_PASSWORD, newPassword: SECOND_PASSWORD }
    });
    expect(changed.statusCode).toBe(200);
    s.cookie('session after password change', changed, 'tfc_session');
    expect((await call(t.app, 'POST', '/api/auth/password-reset/request', { body: { email: EMAIL } })).statusCode).toBe(200);
    await t.deps.bus.idle();
    const resetToken = t.linkFor(EMAIL, '/reset-password');
    s.add('reset token', resetToken);
    t.clock.advance(30_000);
    const reset = await call(t.app, 'POST', '/api/auth/password-reset', {
      body: { token: resetToken, password: THIRD_PASSWORD, code: s.code(totpCode(key, t.clock.now())) }
    });
    expect(reset.statusCode).toBe(200);
    for (const pw of [FIRST_PASSWORD, SECOND_PASSWORD, THIRD_PASSWORD, ...WRONG_PASSWORDS]) s.add('password', pw);

    // The mails did carry the raw tokens (so the search below is looking for the right strings).
    const mailText = t
      .mails()
      .map((m) => m.text)
      .join('\n');
    for (const token of [confirmToken, activationToken, resetToken]) expect(mailText).toContain(token);

    const { tables, cells } = dump(t, ['outbox']);
    expect(tables).toEqual(expect.arrayContaining(['members', 'sessions', 'tokens', 'recovery_codes', 'audit_log']));
    expect(tables).not.toContain('outbox');
    const all = cells.map((c) => c.text).join('\n');

    // Positive controls: the hashed forms are there, found by the same search.
    // (The reset ended the member's sessions; the coordinator's is still there.)
    expect(all).toContain(hashToken(coordinatorCookie.split('=')[1]!));
    expect(all).toContain(hashToken(resetToken));
    expect(all).toContain(hashToken(recoveryCodes[1]!.replace('-', '')));

    const leaks: string[] = [];
    for (const cell of cells) {
      for (const [secret, label] of s.strings) {
        if (cell.text.includes(secret)) leaks.push(`${label} in ${cell.where}`);
      }
      for (const code of s.codes) {
        if (new RegExp(`(?<!\\d)${code}(?!\\d)`).test(cell.text)) leaks.push(`TOTP code ${code} in ${cell.where}`);
      }
      for (const bytes of s.bytes) {
        if (cell.raw && cell.raw.indexOf(Buffer.from(bytes)) >= 0) leaks.push(`TOTP key bytes in ${cell.where}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('the audit log never holds a password, even a wrong one', async () => {
    const m = await createMember(t);
    const attempts = [m.password, `${m.password}!`, 'a completely different guess', 'lantern orchard velvet'];
    for (const password of attempts) {
      await call(t.app, 'POST', '/api/auth/sign-in', { body: { email: m.email, password } });
    }
    await call(t.app, 'POST', '/api/auth/sign-in', {
      body: { email: 'unknown.person@agency.example.gov', password: m.password }
    });
    const cookie = sessionCookie(t, m.id);
    const newPassword = 'quartz heron tamarind vellum';
    await call(t.app, 'POST', '/api/account/password', {
      cookie,
      body: { currentPassword: 'wrong current guess here', newPassword }
    });
    await call(t.app, 'POST', '/api/account/password', { cookie, body: { currentPassword: m.password, newPassword } });

    const rows = auditRows(t);
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['auth.sign_in', 'auth.sign_in_failed', 'auth.password_changed'])
    );
    const text = JSON.stringify(rows);
    for (const secret of [...attempts, newPassword, 'wrong current guess here', cookie.split('=')[1]!]) {
      expect(text).not.toContain(secret);
    }
  });
});
