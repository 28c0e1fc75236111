import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { checkPage, launch, pressAndWait, visit } from './support/browser.ts';
import { apiSession, createCategory, failedRequests, selectText, signedInTab, threadIdOf } from './support/discussions.ts';
import { waitForPath } from './support/flows.ts';
import { seeder, type SeededMember } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';

const CATEGORY = 'Victim services practice';
const TITLE = 'Certification letters for T-visa applicants';
const OPENING =
  'Our office waits months for law enforcement certification letters.\n\nHow do other task forces shorten the wait for survivors?';
const QUOTED = 'certification letters';
/** A word that appears only in B's reply: search must find the thread by it. */
const REPLY_WORD = 'turnaroundmatrix';

describe('a discussion between three members in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let a: SeededMember;
  let b: SeededMember;
  let c: SeededMember;
  let categoryId: number;

  beforeAll(async () => {
    server = await startServer();
    const seed = seeder(server);
    const tf = seed.taskForce('Gulf Coast Human Trafficking Task Force (fictional)');
    const admin = await seed.member({ role: 'admin', name: 'Jordan Reyes (fictional)' });
    a = await seed.member({ name: 'Alex Moreno', taskForceId: tf.id, discipline: 'victim_services' });
    b = await seed.member({ name: 'Blair Okafor', taskForceId: tf.id });
    c = await seed.member({ name: 'Casey Lindqvist', taskForceId: tf.id });
    // Sorted first by the autocomplete: the keyboard has to move past her to reach Casey Lindqvist.
    await seed.member({ name: 'Casey Lindgren', taskForceId: tf.id });
    seed.close();
    const session = await apiSession(server.origin, admin);
    categoryId = await createCategory(session.api, { name: CATEGORY, description: 'Services, shelter and advocacy.' });
    await session.close();
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('A starts a thread, B quotes A and mentions C, A edits, B reacts, and search finds B’s word', async () => {
    const origin = server.origin;

    // A starts the thread from the category page.
    const tabA = await signedInTab(browser, origin, a);
    const pa = tabA.page;
    const failedForA = failedRequests(pa);
    await visit(tabA, `${origin}/discussions`);
    await pa.getByRole('heading', { level: 1, name: 'Discussions' }).waitFor();
    await checkPage(tabA, 'the discussions page, no threads yet');
    await pa.getByRole('link', { name: CATEGORY, exact: true }).click();
    await waitForPath(pa, `/discussions/c/${categoryId}`);
    await pa.getByRole('heading', { level: 1, name: CATEGORY }).waitFor();
    await checkPage(tabA, 'the empty category');
    await pa.getByRole('link', { name: 'Start a thread' }).click();
    await waitForPath(pa, `/discussions/c/${categoryId}/new`);
    await pa.getByRole('heading', { level: 1, name: `Start a thread in ${CATEGORY}` }).waitFor();
    await checkPage(tabA, 'the new-thread page');
    await pa.getByLabel('Title', { exact: true }).fill(TITLE);
    await pa.getByLabel('Message (Markdown)').fill(OPENING);
    await pa.getByRole('button', { name: 'Start thread' }).click();
    await pa.waitForURL(/\/discussions\/t\/\d+/);
    const threadId = threadIdOf(pa);
    const threadUrl = `${origin}/discussions/t/${threadId}`;
    await pa.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    expect(await pa.locator('#post-1 .post-body').innerText()).toContain('How do other task forces');
    await checkPage(tabA, 'the new thread, seen by its author');

    // B opens it, quotes part of A's post and mentions C with the keyboard.
    const tabB = await signedInTab(browser, origin, b);
    const pb = tabB.page;
    await visit(tabB, threadUrl);
    await pb.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await checkPage(tabB, 'the thread, seen by another member');
    await selectText(pb, '#post-1 .post-body', QUOTED);
    await pb.getByRole('button', { name: 'Quote post 1' }).click();
    const box = pb.getByLabel('Message (Markdown)');
    const quoted = await box.inputValue();
    expect(quoted).toContain(`> ${QUOTED}`);
    expect(quoted).toContain('Alex Moreno** wrote (post #1)');
    // Only the selection, not the whole post.
    expect(quoted).not.toContain('months');
    await expect.poll(() => pb.evaluate(() => document.activeElement?.id)).toBe('reply-body');
    await box.press('End');
    await box.pressSequentially(`We use a ${REPLY_WORD} with our partners. Asking @Lind`, { delay: 15 });
    const suggestions = pb.getByRole('listbox', { name: 'Members to mention' });
    await suggestions.waitFor();
    expect(await suggestions.getByRole('option').allInnerTexts()).toEqual([
      expect.stringContaining('Casey Lindgren'),
      expect.stringContaining('Casey Lindqvist')
    ]);
    await checkPage(tabB, 'the mention suggestions');
    await box.press('ArrowDown');
    await expect.poll(() => suggestions.getByRole('option', { selected: true }).innerText()).toContain('Casey Lindqvist');
    expect(await box.getAttribute('aria-activedescendant')).toBe('reply-body-mentions-1');
    await box.press('Enter');
    await suggestions.waitFor({ state: 'detached' });
    await box.pressSequentially('to weigh in.', { delay: 5 });
    expect(await box.inputValue()).toContain(`@[Casey Lindqvist](member:${c.id}) to weigh in.`);
    await pb.getByRole('button', { name: 'Post reply' }).click();
    await pb.waitForURL(/#post-2$/);
    const reply = pb.locator('#post-2');
    await reply.getByRole('link', { name: '@Casey Lindqvist' }).waitFor();
    expect(await reply.locator('blockquote').innerText()).toContain(QUOTED);
    expect(await reply.getByText('Replying to').innerText()).toContain('Alex Moreno, post #1');
    expect(await reply.locator('.post-body').innerText()).toContain(REPLY_WORD);
    await checkPage(tabB, 'the thread after replying');

    // A edits the opening post (opening the thread now starts at B's unread reply); "edited" leads to the history.
    await visit(tabA, `${threadUrl}?from=1`);
    await pa.locator('#post-1').getByRole('link', { name: 'Edit post 1' }).click();
    await pa.waitForURL(/\/discussions\/p\/\d+\/edit$/);
    await pa.getByRole('heading', { level: 1, name: 'Edit post #1' }).waitFor();
    // Leaving the thread reports how far A read: that report must reach the thread, not the next page.
    expect(failedForA).toEqual([]);
    await checkPage(tabA, 'the edit page');
    const edited = `${OPENING}\n\nUpdate: the regional office now answers within two weeks.`;
    await pa.getByLabel('Message (Markdown)').fill(edited);
    await pa.getByRole('button', { name: 'Save changes' }).click();
    await pa.waitForURL(/#post-1$/);
    expect(await pa.locator('#post-1 .post-body').innerText()).toContain('within two weeks');
    await checkPage(tabA, 'the thread after editing');
    await pa.locator('#post-1').getByRole('link', { name: 'Edited — see history' }).click();
    await pa.getByRole('heading', { level: 1, name: 'History of post #1' }).waitFor();
    const versions = pa.locator('section.revision');
    expect(await versions.count()).toBe(2);
    expect(await versions.nth(0).innerText()).toContain('within two weeks');
    expect(await versions.nth(1).getByRole('heading').innerText()).toMatch(/^Version 1, replaced .* by Alex Moreno$/);
    expect(await versions.nth(1).innerText()).not.toContain('within two weeks');
    await checkPage(tabA, 'the history page');

    // B reacts to A's post; others see only "Edited".
    await visit(tabB, threadUrl);
    const post1 = pb.locator('#post-1');
    expect(await post1.getByText('Edited', { exact: true }).count()).toBe(1);
    expect(await post1.getByRole('link', { name: 'Edited — see history' }).count()).toBe(0);
    const reactions = post1.getByRole('group', { name: 'Reactions to post 1' });
    const thanks = reactions.getByRole('button', { name: 'Thanks, 0 reactions' });
    expect(await thanks.getAttribute('aria-pressed')).toBe('false');
    await pressAndWait(pb, thanks);
    const pressed = reactions.getByRole('button', { name: 'Thanks, 1 reaction' });
    await pressed.waitFor();
    expect(await pressed.getAttribute('aria-pressed')).toBe('true');
    await checkPage(tabB, 'the thread after reacting');
    const reactionsSeen = await tabA.api.ok<{ posts: { number: number; reactions: { kind: string; count: number }[] }[] }>(
      'GET',
      `/discussions/threads/${threadId}`
    );
    expect(reactionsSeen.posts.find((p) => p.number === 1)?.reactions).toEqual([
      expect.objectContaining({ kind: 'thanks', count: 1 })
    ]);

    // Search finds the thread by the word only B wrote.
    await visit(tabA, `${origin}/search`);
    await pa.getByRole('heading', { level: 1, name: 'Search' }).waitFor();
    await checkPage(tabA, 'the empty search page');
    await pa.getByLabel('Search discussions').fill(REPLY_WORD);
    await pa.getByRole('button', { name: 'Search', exact: true }).click();
    await waitForPath(pa, '/search');
    const results = pa.getByRole('region', { name: 'Results' });
    await results.getByRole('status').filter({ hasText: '1 result' }).waitFor();
    const hit = results.getByRole('listitem');
    expect(await hit.getByRole('link', { name: TITLE }).getAttribute('href')).toMatch(
      new RegExp(`^/discussions/t/${threadId}(\\?from=1)?#post-2$`)
    );
    expect(await hit.innerText()).toContain('Reply #2 by Blair Okafor');
    expect(await hit.locator('mark').innerText()).toBe(REPLY_WORD);
    await checkPage(tabA, 'search results');

    // C was mentioned: there is no notifications page yet, so C asks the API, then sees it in the thread.
    const tabC = await signedInTab(browser, origin, c);
    const inbox = await tabC.api.ok<{ notifications: { kind: string; url: string | null; thread: { id: number } | null }[] }>(
      'GET',
      '/notifications'
    );
    expect(inbox.notifications).toContainEqual(
      expect.objectContaining({ kind: 'mention', thread: expect.objectContaining({ id: threadId }) })
    );
    await visit(tabC, threadUrl);
    await tabC.page.locator('#post-2').getByRole('link', { name: '@Casey Lindqvist' }).waitFor();
    await checkPage(tabC, 'the thread, seen by the mentioned member');

    await Promise.all([tabA, tabB, tabC].map((t) => t.context.close()));
  });
});
