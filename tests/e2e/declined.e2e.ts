import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { checkPage, launch, openTab, pressAndWait, visit } from './support/browser.ts';
import { applicant, confirmRequest, requestAccess, signIn, signOut, waitForPath } from './support/flows.ts';
import { mailbox } from './support/mail.ts';
import { seeder, type SeededMember } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';

const REASON =
  'We could not confirm your role with the supervisor you named. Ask your coordinator to contact the program office.';

describe('a declined membership request', () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: SeededMember;

  beforeAll(async () => {
    server = await startServer();
    const seed = seeder(server);
    admin = await seed.member({ role: 'admin', name: 'Jordan Reyes (fictional)' });
    seed.close();
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an admin declines with a reason and the applicant sees it on the status page', async () => {
    const mail = mailbox(server);
    const who = applicant({ fullName: 'Casey Lindqvist', email: 'casey.lindqvist@riverbend.example.org', discipline: 'Other' });

    const applicantTab = await openTab(browser);
    await requestAccess(applicantTab, server.origin, who);
    const statusUrl = await confirmRequest(applicantTab, mail, who.email);

    const staff = await openTab(browser);
    const { page } = staff;
    await signIn(staff, server.origin, admin.email, admin.password, () => admin.code());
    await page.getByRole('link', { name: 'Staff', exact: true }).click();
    await waitForPath(page, '/admin');
    await page.getByRole('heading', { level: 1, name: 'Staff overview' }).waitFor();
    await checkPage(staff, 'the staff overview');
    await page.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Membership requests' }).click();
    await waitForPath(page, '/admin/membership');
    await page.getByRole('heading', { level: 1, name: 'Membership requests' }).waitFor();
    await checkPage(staff, 'the membership queue');
    await page.getByRole('link', { name: who.fullName, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `Request from ${who.fullName}` }).waitFor();
    await checkPage(staff, 'the request page');

    await page.getByLabel('Reason for declining (sent to the applicant)', { exact: true }).fill(REASON);
    await pressAndWait(page, page.getByRole('button', { name: 'Decline request' }));
    await waitForPath(page, '/admin/membership');
    const notice = page.getByRole('status').filter({ hasText: who.fullName });
    await notice.waitFor();
    expect(await notice.innerText()).toContain('Declined');
    await checkPage(staff, 'the membership queue after declining');
    await signOut(staff);
    await staff.context.close();

    const declineLink = await mail.waitForLink(who.email, '/request-status');
    expect(declineLink).toBe(statusUrl);
    expect(mail.mails().some((m) => m.to === who.email && m.text.includes(`Reason: ${REASON}`))).toBe(true);
    await visit(applicantTab, statusUrl);
    await applicantTab.page.getByText('Status: Declined', { exact: true }).waitFor();
    await applicantTab.page.getByText(`Reason: ${REASON}`, { exact: true }).waitFor();
    await checkPage(applicantTab, 'the request-status page of a declined request');
    await applicantTab.context.close();
  });
});
