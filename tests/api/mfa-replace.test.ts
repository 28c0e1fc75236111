import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, makeApp, type TestApp } from '../support/app.ts';
import { createMember, sessionCookie } from '../support/factories.ts';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.close();
});

describe('replacing a working authenticator app', () => {
  it('needs the current password; a session alone cannot swap it', async () => {
    const member = await createMember(t, { mfa: true });
    const cookie = sessionCookie(t, member.id);
    const without = await call(t.app, 'POST', '/api/account/mfa/start', { cookie, body: {} });
    expect(without.statusCode).toBe(400);
    expect(without.json().error.fields.password).toBeTruthy();
    const wrong = await call(t.app, 'POST', '/api/account/mfa/start', { cookie, body: { password: 'not my password at all' } });
    expect(wrong.statusCode).toBe(400);
    const right = await call(t.app, 'POST', '/api/account/mfa/start', { cookie, body: { password: member.password } });
    expect(right.statusCode).toBe(200);
    expect(right.json().manualKey).toMatch(/^[A-Z2-7 ]+$/);
  });

  it('is not asked for when turning two-step verification on for the first time', async () => {
    const member = await createMember(t, { mfa: false });
    const res = await call(t.app, 'POST', '/api/account/mfa/start', { cookie: sessionCookie(t, member.id), body: {} });
    expect(res.statusCode).toBe(200);
  });
});
