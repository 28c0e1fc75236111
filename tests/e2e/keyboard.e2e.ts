import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { checkPage, launch, openTab, visit } from './support/browser.ts';
import { applicant, waitForPath } from './support/flows.ts';
import { focused, nextIs, tabTo } from './support/keyboard.ts';
import { mailbox } from './support/mail.ts';
import { seeder, type SeededMember } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';

const TASK_FORCE = 'Gulf Coast Human Trafficking Task Force (fictional)';

describe('keyboard only', () => {
  let server: RunningServer;
  let browser: Browser;
  let member: SeededMember;

  beforeAll(async () => {
    server = await startServer();
    const seed = seeder(server);
    const taskForce = seed.taskForce(TASK_FORCE);
    member = await seed.member({ name: 'Avery Santos (fictional)', taskForceId: taskForce.id, mfa: true });
    seed.close();
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('requests access from start to finish without a mouse', async () => {
    const tab = await openTab(browser);
    const { page } = tab;
    const who = applicant({ fullName: 'Morgan Pike', email: 'morgan.pike@bayou-da.example.gov' });
    await visit(tab, `${server.origin}/request-access`);
    await checkPage(tab, 'the request-access page');

    // The first Tab lands on the skip link, which jumps past the header to the form.
    await nextIs(page, 'Skip to main content');
    await page.keyboard.press('Enter');
    await nextIs(page, 'Full name');
    await page.keyboard.type(who.fullName);
    await nextIs(page, 'Work e-mail');
    await page.keyboard.type(who.email);
    await nextIs(page, 'Agency or organization');
    await page.keyboard.type(who.agency);
    await nextIs(page, 'Job title');
    await page.keyboard.type(who.jobTitle);

    // Into the radio group: Space picks the focused option, arrows move the choice.
    const first = await nextIs(page, 'Law enforcement');
    expect(first.type).toBe('radio');
    await page.keyboard.press('Space');
    expect(await page.getByRole('radio', { name: 'Law enforcement' }).isChecked()).toBe(true);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    expect((await focused(page)).name).toBe('Victim services');
    expect(await page.getByRole('radio', { name: 'Victim services' }).isChecked()).toBe(true);

    // The select: arrow keys change the choice without opening it.
    const select = await nextIs(page, 'Task force');
    expect(select.tag).toBe('select');
    const selectedText = () =>
      page.getByLabel('Task force', { exact: true }).evaluate((s) => (s as HTMLSelectElement).selectedOptions[0]?.text);
    expect(await selectedText()).toBe('My task force is not listed');
    await page.keyboard.press('ArrowUp');
    expect(await selectedText()).toBe(TASK_FORCE);

    await nextIs(page, "Supervisor's name");
    await page.keyboard.type(who.supervisorName);
    await nextIs(page, "Supervisor's e-mail or phone");
    await page.keyboard.type(who.supervisorContact);
    await nextIs(page, 'Why do you want to join?');
    await page.keyboard.type(who.reason);
    await nextIs(page, 'Send request');
    // Back and forth: Shift+Tab returns to the text just typed, Tab comes back to the button.
    await nextIs(page, 'Why do you want to join?', { back: true });
    await nextIs(page, 'Send request');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Check your e-mail' }).waitFor();
    await checkPage(tab, 'the request-access page after sending');

    const link = await mailbox(server).waitForLink(who.email, '/request-access/confirm');
    await visit(tab, link);
    await checkPage(tab, 'the confirm page');
    await tabTo(page, 'Confirm my e-mail address');
    await page.keyboard.press('Enter');
    await waitForPath(page, '/request-status');
    await page.getByText('Status: Submitted', { exact: true }).waitFor();
    await page.getByText(TASK_FORCE).waitFor();
    await checkPage(tab, 'the request-status page');
    await tab.context.close();
  });

  it('signs in, with the second step, without a mouse', async () => {
    const tab = await openTab(browser);
    const { page } = tab;
    await visit(tab, `${server.origin}/sign-in`);
    await checkPage(tab, 'the sign-in page');
    await nextIs(page, 'Skip to main content');
    await tabTo(page, 'Work e-mail');
    await page.keyboard.type(member.email);
    await nextIs(page, 'Password');
    await page.keyboard.type(member.password);
    await page.keyboard.press('Enter');
    await page.getByLabel('Verification code', { exact: true }).waitFor();
    await checkPage(tab, 'the sign-in verification step');
    // The code field takes focus on its own; if it did not, Tab must reach it.
    if ((await focused(page)).name !== 'Verification code') await tabTo(page, 'Verification code');
    await page.keyboard.type(member.code());
    await page.keyboard.press('Enter');
    await waitForPath(page, '/');
    await page.getByRole('heading', { level: 1, name: `Welcome, ${member.name}` }).waitFor();
    await checkPage(tab, 'the home page');
    // The header is reachable too, and the first Tab still lands on the skip link.
    await nextIs(page, 'Skip to main content');
    await tabTo(page, 'Account security');
    await tab.context.close();
  });
});
