import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { totpCode } from '../../server/shared/totp.ts';
import { base32Decode } from '../support/totp.ts';
import { checkPage, launch, openTab, pressAndWait, visit } from './support/browser.ts';
import { applicant, confirmRequest, requestAccess, signIn, signOut, waitForPath } from './support/flows.ts';
import { mailbox } from './support/mail.ts';
import { seeder, type SeededMember } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';

const TASK_FORCE = 'Gulf Coast Human Trafficking Task Force (fictional)';
const NEW_PASSWORD = 'copper violin harbor sunrise 47';

describe('the whole membership journey in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let coordinator: SeededMember;

  beforeAll(async () => {
    server = await startServer();
    const seed = seeder(server);
    const taskForce = seed.taskForce(TASK_FORCE, ['LA', 'MS']);
    coordinator = await seed.member({ role: 'coordinator', taskForceId: taskForce.id, name: 'Terry Boudreaux (fictional)' });
    seed.close();
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('request, confirm, approval, activation with two-step verification, sign-out and sign-in again', async () => {
    const mail = mailbox(server);
    const who = applicant({ discipline: 'Victim services', taskForce: TASK_FORCE });

    // The applicant asks to join and confirms the address.
    const me = await openTab(browser);
    await requestAccess(me, server.origin, who);
    const statusUrl = await confirmRequest(me, mail, who.email);

    // The task force's coordinator approves.
    const staff = await openTab(browser);
    const sp = staff.page;
    await signIn(staff, server.origin, coordinator.email, coordinator.password, () => coordinator.code());
    await sp.getByRole('link', { name: 'Staff', exact: true }).click();
    await waitForPath(sp, '/admin');
    await sp.getByRole('heading', { level: 1, name: 'Staff overview' }).waitFor();
    await checkPage(staff, 'the staff overview');
    const staffNav = sp.getByRole('navigation', { name: 'Staff' });
    expect(await staffNav.innerText()).toContain('1 waiting');
    await staffNav.getByRole('link', { name: 'Membership requests' }).click();
    await waitForPath(sp, '/admin/membership');
    await sp.getByRole('heading', { level: 1, name: 'Membership requests' }).waitFor();
    await checkPage(staff, 'the membership queue');
    await sp.getByRole('link', { name: who.fullName, exact: true }).click();
    await sp.getByRole('heading', { level: 1, name: `Request from ${who.fullName}` }).waitFor();
    await checkPage(staff, 'the request page');
    await pressAndWait(sp, sp.getByRole('button', { name: 'Approve', exact: true }));
    await waitForPath(sp, '/admin/membership');
    await sp
      .getByRole('status')
      .filter({ hasText: `Approved ${who.fullName}. An activation link was e-mailed.` })
      .waitFor();
    await checkPage(staff, 'the membership queue after approving');
    await signOut(staff);
    await staff.context.close();

    // The status page says so too.
    const { page } = me;
    await visit(me, statusUrl);
    await page.getByText('Status: Approved', { exact: true }).waitFor();
    await checkPage(me, 'the request-status page of an approved request');

    // Activation: password, then two-step verification (optional for members), then the notice.
    await visit(me, await mail.waitForLink(who.email, '/activate'));
    await page.getByRole('heading', { level: 1, name: 'Activate your account' }).waitFor();
    await checkPage(me, 'the activation page');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set password and continue' }).click();
    await waitForPath(page, '/onboarding');
    await page.getByRole('heading', { level: 1, name: 'Set up two-step verification' }).waitFor();
    expect(await page.getByRole('button', { name: 'Skip for now' }).isVisible()).toBe(true);
    await checkPage(me, 'the onboarding two-step verification step');

    await pressAndWait(page, page.getByRole('button', { name: 'Set up two-step verification' }));
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    await page.getByText('Or enter this key manually').waitFor();
    await checkPage(me, 'the onboarding enrolment step');
    const manualKey = (await page.locator('#manual-key').innerText()).trim();
    expect(manualKey).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/);
    const key = base32Decode(manualKey.replace(/\s+/g, ''));
    await page.getByLabel('6-digit code from your app', { exact: true }).fill(totpCode(key, Date.now()));
    await pressAndWait(page, page.getByRole('button', { name: 'Verify code' }));
    const codes = page.getByRole('region', { name: 'Your recovery codes' });
    await codes.waitFor();
    await checkPage(me, 'the recovery codes');
    const recovery = (await codes.locator('li').allInnerTexts()).map((c) => c.trim());
    expect(recovery).toHaveLength(10);
    expect(new Set(recovery).size).toBe(10);
    await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();

    await page.getByRole('heading', { level: 1, name: 'System-use notice' }).waitFor();
    await checkPage(me, 'the system-use notice');
    await page.getByRole('checkbox', { name: 'I have read and accept the system-use notice' }).check();
    await page.getByRole('button', { name: 'Accept and continue' }).click();
    await waitForPath(page, '/');
    await page.getByRole('heading', { level: 1, name: `Welcome, ${who.fullName}` }).waitFor();
    await checkPage(me, 'the home page');

    // Out, and back in with password and a code from the next 30-second step (this one was just used).
    await signOut(me);
    await signIn(me, server.origin, who.email, NEW_PASSWORD, () => totpCode(key, Date.now() + 30_000));
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(`Welcome, ${who.fullName}`);
    await me.context.close();
  });
});
