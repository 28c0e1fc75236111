import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { checkPage, launch, pressAndWait, visit } from './support/browser.ts';
import { apiSession, createCategory, replyTo, signedInTab, startThread } from './support/discussions.ts';
import { seeder, type SeededMember } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';

const CATEGORY = 'Labor trafficking investigations';
const TITLE = 'Subpoenas for payroll records';
const REPLY = 'We send the subpoena to the staffing agency first; their payroll is usually cleaner.';

describe('live notifications between two members in real browsers', () => {
  let server: RunningServer;
  let browser: Browser;
  let a: SeededMember;
  let b: SeededMember;
  let c: SeededMember;
  let d: SeededMember;
  let categoryId: number;

  beforeAll(async () => {
    server = await startServer();
    const seed = seeder(server);
    const tf = seed.taskForce('Great Lakes Human Trafficking Task Force (fictional)');
    const admin = await seed.member({ role: 'admin', name: 'Morgan Tate (fictional)' });
    a = await seed.member({ name: 'Avery Quinn', taskForceId: tf.id });
    b = await seed.member({ name: 'Bailey Novak', taskForceId: tf.id });
    c = await seed.member({ name: 'Cameron Ruiz', taskForceId: tf.id });
    d = await seed.member({ name: 'Dana Ishikawa', taskForceId: tf.id });
    seed.close();
    const session = await apiSession(server.origin, admin);
    categoryId = await createCategory(session.api, { name: CATEGORY, description: 'Wage records, recruiters, visas.' });
    await session.close();
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('B sees the bell rise, a toast, and the new reply announced on the open thread when A replies', async () => {
    const origin = server.origin;
    const tabA = await signedInTab(browser, origin, a);
    // B prefers reduced motion: the toast must appear without animation.
    const tabB = await signedInTab(browser, origin, b, { reducedMotion: 'reduce' });
    const pb = tabB.page;
    // Frames B's tab receives: the test waits for the socket instead of sleeping.
    const frames: string[] = [];
    pb.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
    const { threadId } = await startThread(tabB.api, categoryId, TITLE, 'Which records do you ask for first?');

    await visit(tabB, `${origin}/discussions/t/${threadId}`);
    await pb.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    const bell = pb.getByRole('link', { name: /^Notifications/ });
    expect(await bell.textContent()).not.toMatch(/unread/);
    // The socket is up and the thread's room joined before A replies.
    await expect.poll(() => frames.some((f) => f.includes('"type":"subscribed"')), { timeout: 10_000 }).toBe(true);

    await replyTo(tabA.api, threadId, REPLY);

    // The bell, live, without a reload.
    await expect
      .poll(async () => (await bell.textContent())?.replace(/\s+/g, ' ').trim(), { timeout: 10_000 })
      .toBe('Notifications1, 1 unread');
    // The toast, in a polite live region.
    const toast = pb.locator('.toast-region[aria-live="polite"]');
    await expect.poll(async () => toast.textContent(), { timeout: 10_000 }).toContain(`Avery Quinn replied in “${TITLE}”`);
    expect(await toast.locator('.toast').evaluate((el) => getComputedStyle(el).animationName)).toBe('none');
    // Nothing took the focus away from what B was doing.
    expect(await pb.evaluate(() => document.activeElement?.closest('.toast-region, .live-thread') ?? null)).toBeNull();
    // The thread announces the reply instead of moving the page.
    const show = pb.getByRole('button', { name: '1 new reply — show' });
    await show.waitFor({ timeout: 10_000 });
    expect(await pb.locator('#post-2').count()).toBe(0);
    await checkPage(tabB, 'the thread with a new reply announced and a toast');
    await show.click();
    await pb.locator('#post-2').waitFor();
    expect(await pb.locator('#post-2 .post-body').innerText()).toContain('staffing agency');
    await expect.poll(() => pb.evaluate(() => document.activeElement?.id)).toBe('post-2');

    // Away from the thread, C and D reply (A would be told to slow down): the toast and bell follow B to any page.
    await visit(tabB, `${origin}/discussions`);
    await expect.poll(() => frames.filter((f) => f.includes('"type":"hello"')).length, { timeout: 10_000 }).toBe(2);
    const tabD = await signedInTab(browser, origin, d);
    await replyTo(tabD.api, threadId, 'Then the bank records, once the payroll shows the pattern.');
    const tabC = await signedInTab(browser, origin, c);
    await replyTo(tabC.api, threadId, 'And the housing leases, if the employer provides housing.');
    await expect.poll(async () => (await bell.textContent()) ?? '', { timeout: 10_000 }).toMatch(/[2-9] unread/);

    // The list: who, what, where, when, and the way to the exact post.
    await visit(tabB, `${origin}/notifications`);
    await pb.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
    await checkPage(tabB, 'the notifications page');
    const items = pb.locator('.notification');
    expect(await items.first().getByRole('link').getAttribute('href')).toMatch(/^\/discussions\/p\/\d+$/);
    expect(await items.first().getByRole('link').innerText()).toBe(`Cameron Ruiz replied in “${TITLE}”`);
    expect(await items.first().locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const unreadBefore = await pb.locator('.notification.unread').count();
    expect(unreadBefore).toBeGreaterThanOrEqual(2);
    await pressAndWait(pb, items.first().getByRole('button', { name: 'Mark as read' }));
    await expect.poll(() => pb.locator('.notification.unread').count()).toBe(unreadBefore - 1);
    await pressAndWait(pb, pb.getByRole('button', { name: 'Mark all as read' }));
    await pb.getByText('Nothing unread.').waitFor();
    await expect.poll(async () => (await bell.textContent())?.trim()).toBe('Notifications');
    await checkPage(tabB, 'the notifications page, all read');

    // Settings: one select per kind, saved through a form.
    await visit(tabB, `${origin}/account/notifications`);
    await pb.getByRole('heading', { level: 1, name: 'Notification settings' }).waitFor();
    await checkPage(tabB, 'the notification settings');
    await pb.getByLabel('E-mail for Replies in threads you watch').selectOption({ label: 'Weekly digest' });
    await pressAndWait(pb, pb.getByRole('button', { name: 'Save settings' }));
    await pb.getByText('Your notification settings were saved.').waitFor();
    await visit(tabB, `${origin}/account/notifications`);
    expect(await pb.getByLabel('E-mail for Replies in threads you watch').inputValue()).toBe('weekly');
    await checkPage(tabB, 'the notification settings, saved');

    // Without JavaScript the settings are still a plain form.
    const plain = await signedInTab(browser, origin, b, { javaScriptEnabled: false });
    await plain.page.goto(`${origin}/account/notifications`);
    await plain.page.getByLabel('E-mail for Mentions').selectOption({ label: 'Off' });
    await plain.page.getByRole('button', { name: 'Save settings' }).click();
    await plain.page.getByText('Your notification settings were saved.').waitFor();
    expect(await plain.page.getByLabel('E-mail for Mentions').inputValue()).toBe('off');
    expect(await plain.page.getByLabel('E-mail for Replies in threads you watch').inputValue()).toBe('weekly');
    await plain.context.close();
    await tabA.context.close();
    await tabC.context.close();
    await tabD.context.close();
    await tabB.context.close();
  });
});
