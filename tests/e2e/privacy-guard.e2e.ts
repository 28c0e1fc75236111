import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { checkPage, launch, pressAndWait, visit } from './support/browser.ts';
import { allPosts, apiSession, createCategory, signedInTab, startThread } from './support/discussions.ts';
import { seeder, type SeededMember } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';

/** The Social Security Administration's own example number, printed on a wallet insert in 1938: never a real person's. */
const FAKE_SSN = '078-05-1120';
const REPLY = `The intake form still asks for the SSN, e.g. ${FAKE_SSN}, before we can refer anyone.`;

describe('the victim-privacy guard in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let author: SeededMember;
  let member: SeededMember;
  let threadId: number;

  beforeAll(async () => {
    server = await startServer();
    const seed = seeder(server);
    const tf = seed.taskForce('Gulf Coast Human Trafficking Task Force (fictional)');
    const admin = await seed.member({ role: 'admin', name: 'Jordan Reyes (fictional)' });
    author = await seed.member({ name: 'Alex Moreno', taskForceId: tf.id });
    member = await seed.member({ name: 'Blair Okafor', taskForceId: tf.id });
    seed.close();
    const adminSession = await apiSession(server.origin, admin);
    const categoryId = await createCategory(adminSession.api, { name: 'Victim services practice' });
    await adminSession.close();
    const authorSession = await apiSession(server.origin, author);
    ({ threadId } = await startThread(
      authorSession.api,
      categoryId,
      'Referral forms that ask for too much',
      'Which referral forms do you use?'
    ));
    await authorSession.close();
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('names what it found, saves nothing until the member confirms, then saves on "Post anyway"', async () => {
    const tab = await signedInTab(browser, server.origin, member);
    const { page } = tab;
    const saved = async () => (await allPosts(tab.api, threadId)).length;

    await visit(tab, `${server.origin}/discussions/t/${threadId}`);
    await page.getByRole('heading', { level: 1, name: 'Referral forms that ask for too much' }).waitFor();
    await checkPage(tab, 'the thread with the reply box');

    // The rule is shown right at the message box and is part of its description.
    const box = page.getByLabel('Message (Markdown)');
    const described = (await box.getAttribute('aria-describedby'))!.split(' ');
    const rule = await page.locator(`#${described[0]}`).innerText();
    expect(rule).toMatch(/^Never post information that could identify a victim/);
    await box.fill(REPLY);
    await pressAndWait(page, page.getByRole('button', { name: 'Post reply' }));
    const alert = page.getByRole('alert').filter({ hasText: 'Check before posting: this may identify a victim.' });
    await alert.waitFor();
    expect(await alert.getByRole('listitem').allInnerTexts()).toEqual([
      expect.stringMatching(/^a Social Security number: “.*078-05-1120.*”$/)
    ]);
    // Focus moves to the alert, and the text is kept for editing.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('reply-privacy');
    expect(await box.inputValue()).toBe(REPLY);
    expect(await page.locator('#post-2').count()).toBe(0);
    expect(await saved()).toBe(1);
    await checkPage(tab, 'the privacy check');

    // "Post anyway" without the box ticked: refused, still not saved.
    const confirm = page.getByRole('checkbox', { name: 'I confirm this contains no victim-identifying information' });
    expect(await confirm.isChecked()).toBe(false);
    await pressAndWait(page, page.getByRole('button', { name: 'Post anyway' }));
    await page
      .locator('.privacy-confirm')
      .getByText('Tick the box to confirm the message contains no victim-identifying information, or edit it.')
      .waitFor();
    await alert.waitFor();
    expect(await box.inputValue()).toBe(REPLY);
    expect(await saved()).toBe(1);
    await checkPage(tab, 'the privacy check, confirmation missing');

    // Ticked: saved, and shown in the thread.
    await confirm.check();
    await page.getByRole('button', { name: 'Post anyway' }).click();
    await page.waitForURL(/#post-2$/);
    expect(await page.locator('#post-2 .post-body').innerText()).toContain(FAKE_SSN);
    const posts = await allPosts(tab.api, threadId);
    expect(posts).toHaveLength(2);
    expect(posts[1]!.html).toContain(FAKE_SSN);
    expect(await page.getByRole('alert').count()).toBe(0);
    await checkPage(tab, 'the thread after posting anyway');
    await tab.context.close();
  });
});
