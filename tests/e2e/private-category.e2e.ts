import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { checkPage, launch, pressAndWait, visit } from './support/browser.ts';
import { apiSession, createCategory, signedInTab, startThread, type MemberTab } from './support/discussions.ts';
import { seeder, type SeededMember } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';

const HOUSTON = 'Houston Area Task Force (fictional)';
const BAYOU = 'Bayou Parish Task Force (fictional)';
const PRIVATE = 'Houston task force room';
const PUBLIC = 'General practice';
const TITLE = 'Shelter intake checklist for our task force';
/** Appears only in the private thread: search must never return it to an outsider. */
const SECRET_WORD = 'marigoldprotocol';

describe('a category private to one task force, walked by an outsider', () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: SeededMember;
  let insider: SeededMember;
  let outsider: SeededMember;
  let houstonId: number;

  beforeAll(async () => {
    server = await startServer();
    const seed = seeder(server);
    houstonId = seed.taskForce(HOUSTON).id;
    const bayou = seed.taskForce(BAYOU, ['LA']);
    admin = await seed.member({ role: 'admin', name: 'Jordan Reyes (fictional)' });
    insider = await seed.member({ name: 'Harper Nguyen', taskForceId: houstonId });
    outsider = await seed.member({ name: 'Quinn Broussard', taskForceId: bayou.id });
    seed.close();
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('members of the task force see it; an outsider finds it in no list, by no address and in no search', async () => {
    const origin = server.origin;

    // The administrator makes the category on /admin/categories, private to the Houston task force.
    const adminTab = await signedInTab(browser, origin, admin);
    const ap = adminTab.page;
    await visit(adminTab, `${origin}/admin/categories`);
    await ap.getByRole('heading', { level: 1, name: 'Categories' }).waitFor();
    await checkPage(adminTab, 'the categories page, empty');
    const add = ap.getByRole('form', { name: 'Add a category' });
    await add.getByLabel('Name', { exact: true }).fill(PRIVATE);
    await add.getByLabel('Description').fill('For members of the Houston task force only.');
    await add.getByRole('group', { name: 'Private to task forces' }).getByRole('checkbox', { name: HOUSTON }).check();
    await pressAndWait(ap, add.getByRole('button', { name: 'Add category' }));
    await ap
      .getByRole('status')
      .filter({ hasText: `Added the category ${PRIVATE}.` })
      .waitFor();
    const row = ap.getByRole('row', { name: new RegExp(PRIVATE) });
    expect(await row.innerText()).toContain(`Private: ${HOUSTON}`);
    await checkPage(adminTab, 'the categories page with a private category');
    await createCategory(adminTab.api, { name: PUBLIC, position: 20 });
    const categories = await adminTab.api.ok<{ categories: { id: number; name: string }[] }>('GET', '/admin/categories');
    const privateId = categories.categories.find((c) => c.name === PRIVATE)!.id;
    await adminTab.context.close();

    // A member of the task force starts a thread there, and sees the category, the thread and search hits.
    const session = await apiSession(origin, insider);
    const { threadId } = await startThread(
      session.api,
      privateId,
      TITLE,
      `Our ${SECRET_WORD} covers the first hour after a survivor arrives. What does yours cover?`
    );
    await session.close();

    const inside = await signedInTab(browser, origin, insider);
    const ip = inside.page;
    await visit(inside, `${origin}/discussions`);
    const categoryList = ip.getByRole('region', { name: 'Categories' });
    await categoryList.getByRole('link', { name: PRIVATE }).waitFor();
    expect(await categoryList.innerText()).toContain(`Only for ${HOUSTON} and moderators.`);
    await ip.getByRole('list', { name: 'Latest threads' }).getByRole('link', { name: TITLE }).waitFor();
    await checkPage(inside, 'the discussions page, seen by a task force member');
    await categoryList.getByRole('link', { name: PRIVATE }).click();
    await ip.getByRole('heading', { level: 1, name: PRIVATE }).waitFor();
    await ip
      .getByRole('list', { name: `Threads in ${PRIVATE}` })
      .getByRole('link', { name: TITLE })
      .click();
    await ip.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    expect(await ip.locator('#post-1 .post-body').innerText()).toContain(SECRET_WORD);
    await checkPage(inside, 'the private thread, seen by a task force member');
    // Mentions: the outsider cannot read the thread, so the autocomplete does not offer her.
    await ip.getByLabel('Message (Markdown)').pressSequentially('Thanks. @Quinn', { delay: 10 });
    await expect
      .poll(() => ip.getByRole('status').filter({ hasText: 'No members named' }).textContent())
      .toBe('No members named “Quinn” can read this.');
    expect(await ip.getByRole('listbox').count()).toBe(0);
    const publicId = categories.categories.find((c) => c.name === PUBLIC)!.id;
    const offered = async (query: string) =>
      (await inside.api.ok<{ members: { name: string }[] }>('GET', `/discussions/mention-candidates?q=Quinn&${query}`)).members;
    expect(await offered(`categoryId=${publicId}`)).toEqual([expect.objectContaining({ name: 'Quinn Broussard' })]);
    expect(await offered(`threadId=${threadId}`)).toEqual([]);
    await searchFor(inside, SECRET_WORD);
    await ip.getByRole('region', { name: 'Results' }).getByRole('link', { name: TITLE }).waitFor();
    await checkPage(inside, 'search results, seen by a task force member');
    await inside.context.close();

    // The outsider: not in the list, not by address, not in search.
    const out = await signedInTab(browser, origin, outsider);
    const op = out.page;
    await visit(out, `${origin}/discussions`);
    await op.getByRole('region', { name: 'Categories' }).getByRole('link', { name: PUBLIC }).waitFor();
    await checkPage(out, 'the discussions page, seen by an outsider');
    await expectAbsent(op, [PRIVATE, TITLE]);

    for (const path of [`/discussions/c/${privateId}`, `/discussions/c/${privateId}/new`, `/discussions/t/${threadId}`]) {
      const response = await op.goto(`${origin}${path}`, { waitUntil: 'networkidle' });
      expect(response?.status(), path).toBe(404);
      await op.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
      expect(await op.title()).toBe('Page not found — Task Force Connect');
      await expectAbsent(op, [PRIVATE, TITLE, SECRET_WORD]);
      // The browser reports the 404 document itself as a console error: expected here, and only that.
      expect(out.problems.splice(0).every((p) => p.includes('status of 404'))).toBe(true);
      await checkPage(out, `not found: ${path}`);
    }

    await searchFor(out, SECRET_WORD);
    await op.getByRole('region', { name: 'Results' }).getByText(`Nothing found for “${SECRET_WORD}”.`).waitFor();
    const categoryChoices = await op.getByLabel('Category').locator('option').allInnerTexts();
    expect(categoryChoices).toEqual(['All categories', PUBLIC]);
    await expectAbsent(op, [PRIVATE, TITLE]);
    await checkPage(out, 'search results, seen by an outsider');

    // The same doors through the API the pages use.
    expect((await out.api.get(`/discussions/threads/${threadId}`)).status).toBe(404);
    expect((await out.api.get(`/discussions/categories/${privateId}/threads`)).status).toBe(404);
    const listed = await out.api.ok<{ categories: { name: string }[] }>('GET', '/discussions/categories');
    expect(listed.categories.map((c) => c.name)).toEqual([PUBLIC]);
    const found = await out.api.ok<{ hits: unknown[] }>('GET', `/search?q=${SECRET_WORD}`);
    expect(found.hits).toEqual([]);
    await out.context.close();
  });
});

async function searchFor(tab: MemberTab, words: string): Promise<void> {
  await visit(tab, `${new URL(tab.page.url()).origin}/search`);
  await tab.page.getByLabel('Search discussions').fill(words);
  await tab.page.getByRole('button', { name: 'Search', exact: true }).click();
  await tab.page.getByRole('region', { name: 'Results' }).getByRole('status').waitFor();
}

async function expectAbsent(page: Page, words: string[]): Promise<void> {
  const html = await page.content();
  for (const word of words) expect(html, `"${word}" on ${page.url()}`).not.toContain(word);
}
