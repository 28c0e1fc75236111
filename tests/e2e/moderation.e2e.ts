import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { checkPage, launch, pressAndWait, visit } from './support/browser.ts';
import { apiSession, createCategory, replyTo, signedInTab, startThread, type MemberTab } from './support/discussions.ts';
import { seeder, type SeededMember } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';

const TITLE = 'Following up after a shelter placement';
/** A made-up name standing in for the victim-identifying detail: it must vanish everywhere after the purge. */
const SECRET = 'Quillfeather';
const REPLY = `Update on the girl we placed last week, Zorinda ${SECRET}: she is settling in well.`;
const EDITED = `${REPLY}\n\nShe starts school on Monday.`;

describe('a post flagged as victim-identifying, hidden at once and purged by a moderator', () => {
  let server: RunningServer;
  let browser: Browser;
  let author: SeededMember;
  let flagger: SeededMember;
  let reader: SeededMember;
  let moderator: SeededMember;
  let threadId: number;
  let postId: number;

  beforeAll(async () => {
    // The fixture posts twice in a row: the 5-second posting limit is not under test here.
    server = await startServer({ POST_INTERVAL_SECONDS: '0' });
    const seed = seeder(server);
    const tf = seed.taskForce('Gulf Coast Human Trafficking Task Force (fictional)');
    const admin = await seed.member({ role: 'admin', name: 'Jordan Reyes (fictional)' });
    moderator = await seed.member({ role: 'moderator', name: 'Riley Moderator (fictional)' });
    author = await seed.member({ name: 'Alex Moreno', taskForceId: tf.id });
    flagger = await seed.member({ name: 'Blair Okafor', taskForceId: tf.id });
    reader = await seed.member({ name: 'Casey Lindqvist', taskForceId: tf.id });
    seed.close();
    const adminSession = await apiSession(server.origin, admin);
    const categoryId = await createCategory(adminSession.api, { name: 'Victim services practice' });
    await adminSession.close();
    browser = await launch();

    // The author posts the reply through the API and edits it once, so an earlier version holds the text too.
    const authorSession = await apiSession(server.origin, author);
    ({ threadId } = await startThread(authorSession.api, categoryId, TITLE, 'How do you follow up after a placement?'));
    ({ postId } = await replyTo(authorSession.api, threadId, REPLY));
    await authorSession.api.ok('PATCH', `/discussions/posts/${postId}`, { body: EDITED, confirmPrivacy: true });
    await authorSession.close();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('flag → hidden for others → purge → gone from the thread, its history and search', async () => {
    const origin = server.origin;
    const threadUrl = `${origin}/discussions/t/${threadId}`;
    const historyUrl = `${origin}/discussions/p/${postId}/history`;

    // Before: the author finds the text in the thread, the history and search (so the checks below can fail).
    const authorTab = await signedInTab(browser, origin, author);
    const ap = authorTab.page;
    await visit(authorTab, historyUrl);
    await ap.getByRole('heading', { level: 1, name: 'History of post #2' }).waitFor();
    expect(await ap.getByRole('region', { name: /^Version 1/ }).innerText()).toContain(SECRET);
    await checkPage(authorTab, 'the history before the purge');
    await search(authorTab, SECRET);
    await ap.getByRole('region', { name: 'Results' }).getByRole('link', { name: TITLE }).waitFor();

    // A member flags it as victim-identifying: hidden at once.
    const flaggerTab = await signedInTab(browser, origin, flagger);
    const fp = flaggerTab.page;
    await visit(flaggerTab, threadUrl);
    const post = fp.locator('#post-2');
    expect(await post.locator('.post-body').innerText()).toContain(SECRET);
    await checkPage(flaggerTab, 'the thread before the flag');
    await post.locator('summary', { hasText: 'Flag' }).click();
    const flagForm = post.getByRole('group', { name: 'Why are you flagging this post?' });
    await flagForm.getByRole('radio', { name: 'Victim-identifying information' }).check();
    await post.getByLabel('Note for the moderators').fill('Names a survivor in full.');
    await checkPage(flaggerTab, 'the flag form');
    await pressAndWait(fp, post.getByRole('button', { name: 'Send flag' }));
    await post
      .getByRole('status')
      .filter({
        hasText:
          'Thank you: flagged as “Victim-identifying information”. A moderator will review it. The post is hidden until then.'
      })
      .waitFor();
    // Updated in place: the text leaves the page (the data the page first loaded with is checked on fresh loads below).
    await expect.poll(() => fp.locator('body').innerText()).not.toContain(SECRET);
    await post.getByText('This post is hidden while a moderator reviews it').waitFor();
    await checkPage(flaggerTab, 'the thread after flagging');

    const readerTab = await signedInTab(browser, origin, reader);
    const rp = readerTab.page;
    await visit(readerTab, threadUrl);
    await rp
      .locator('#post-2')
      .getByText('This post is hidden while a moderator reviews it: it was flagged as possibly identifying a victim.')
      .waitFor();
    await expectAbsent(rp, SECRET);
    await checkPage(readerTab, 'the thread with a hidden post');
    await search(readerTab, SECRET);
    await rp.getByText(`Nothing found for “${SECRET}”.`).waitFor();

    // The moderator purges the text from the queue.
    const modTab = await signedInTab(browser, origin, moderator);
    const mp = modTab.page;
    await visit(modTab, `${origin}/admin/moderation`);
    await mp.getByRole('heading', { level: 1, name: 'Moderation' }).waitFor();
    const item = mp.getByRole('article', { name: new RegExp(TITLE) });
    expect(await item.getByRole('heading', { level: 2 }).innerText()).toContain('Victim-identifying information');
    expect(await item.locator('.flagged-post').innerText()).toContain(SECRET);
    expect(await item.getByRole('list', { name: '1 open flag' }).innerText()).toContain('flagged by Blair Okafor');
    await checkPage(modTab, 'the moderation queue');
    const purge = item.getByRole('form', { name: 'Purge the text' });
    await purge.getByRole('checkbox', { name: 'I understand this permanently removes the text' }).check();
    await pressAndWait(mp, purge.getByRole('button', { name: 'Purge text' }));
    await mp.getByRole('status').filter({ hasText: 'Purged the text from the post, its earlier versions and search.' }).waitFor();
    await mp.getByText('No flags are waiting for review.').waitFor();
    await checkPage(modTab, 'the moderation queue after the purge');

    // After: gone from the thread (for everyone, moderators included), the history and search.
    for (const tab of [modTab, readerTab, authorTab]) {
      await visit(tab, `${threadUrl}?from=1`);
      const purged = tab.page.locator('#post-2');
      await purged.getByText('A moderator removed text from this post.').waitFor();
      expect(await purged.locator('.post-body').innerText()).toContain('This post was removed by a moderator');
      await expectAbsent(tab.page, SECRET);
    }
    await checkPage(modTab, 'the thread after the purge');

    await visit(authorTab, historyUrl);
    await ap.getByRole('heading', { level: 1, name: 'History of post #2' }).waitFor();
    await ap.getByText('This post has no earlier versions.').waitFor();
    await expectAbsent(ap, SECRET);
    await checkPage(authorTab, 'the history after the purge');
    const revisions = await authorTab.api.ok('GET', `/discussions/posts/${postId}/revisions`);
    expect(JSON.stringify(revisions)).not.toContain(SECRET);

    for (const tab of [authorTab, modTab]) {
      await search(tab, SECRET);
      await tab.page.getByText(`Nothing found for “${SECRET}”.`).waitFor();
    }
    await checkPage(modTab, 'search after the purge');

    await Promise.all([authorTab, flaggerTab, readerTab, modTab].map((t) => t.context.close()));
  });
});

async function search(tab: MemberTab, words: string): Promise<void> {
  await visit(tab, `${new URL(tab.page.url()).origin}/search?q=${encodeURIComponent(words)}`);
  await tab.page.getByRole('region', { name: 'Results' }).getByRole('status').waitFor();
  await checkPage(tab, 'search results');
}

/** Not in the page, nor in the data it was served with (a freshly loaded page only). */
async function expectAbsent(page: Page, word: string): Promise<void> {
  expect(await page.content(), `"${word}" on ${page.url()}`).not.toContain(word);
}
