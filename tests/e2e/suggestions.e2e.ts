import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { assertNoProblems, checkPage, launch, pressAndWait, visit } from './support/browser.ts';
import { apiSession, signedInTab, type MemberTab } from './support/discussions.ts';
import { waitForPath } from './support/flows.ts';
import { auditWithoutJs, scrollWidth } from './support/resources.ts';
import { seeder, type SeededMember } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';

const EXISTING = 'Hotel staff training on trafficking indicators';
const TITLE = 'Training for hotel front desk workers';
const NOTE = 'Funded for the spring training round; dates follow in the newsletter.';
const NO_JS_TITLE = 'Shared calendar for forensic interview rooms';
const WIDTH = 320;

function suggestionIdOf(page: Page): number {
  const match = /^\/suggestions\/(\d+)$/.exec(new URL(page.url()).pathname);
  if (!match) throw new Error(`not a suggestion page: ${page.url()}`);
  return Number(match[1]);
}

async function fitsWidth(page: Page, label: string): Promise<void> {
  expect(await scrollWidth(page), `horizontal scroll on ${label}`).toBeLessThanOrEqual(WIDTH);
}

const bell = (page: Page) => page.getByRole('link', { name: /^Notifications/ });

async function expectBellUnread(tab: MemberTab): Promise<void> {
  await expect
    .poll(async () => (await bell(tab.page).textContent())?.replace(/\s+/g, ' ').trim(), { timeout: 15_000 })
    .toMatch(/1 unread/);
}

describe('the suggestions board in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: SeededMember;
  let a: SeededMember;
  let b: SeededMember;
  let c: SeededMember;
  let d: SeededMember;

  beforeAll(async () => {
    // The server is a child process: a second web build (WEB_BUILD_DIR) reaches it only if passed on.
    server = await startServer(process.env.WEB_BUILD_DIR ? { WEB_BUILD_DIR: process.env.WEB_BUILD_DIR } : {});
    const seed = seeder(server);
    const tf = seed.taskForce('Gulf Coast Human Trafficking Task Force (fictional)');
    admin = await seed.member({ role: 'admin', name: 'Morgan Tate (fictional)' });
    a = await seed.member({ name: 'Avery Quinn', taskForceId: tf.id });
    b = await seed.member({ name: 'Bailey Novak', taskForceId: tf.id });
    c = await seed.member({ name: 'Cameron Ruiz', taskForceId: tf.id });
    d = await seed.member({ name: 'Dana Ishikawa', taskForceId: tf.id });
    seed.close();
    const session = await apiSession(server.origin, d);
    const made = await session.api.post('/suggestions', {
      title: EXISTING,
      description: 'Front desk and housekeeping staff see the signs first.'
    });
    expect(made.status).toBe(201);
    await session.close();
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('A suggests (seeing a similar one on the way), B and C vote, an admin marks it Planned, and all three are told', async () => {
    const origin = server.origin;
    const tabA = await signedInTab(browser, origin, a, { viewport: { width: WIDTH, height: 800 } });
    const pa = tabA.page;

    await visit(tabA, `${origin}/suggestions`);
    await pa.getByRole('heading', { level: 1, name: 'Suggestions' }).waitFor();
    await pa.getByRole('link', { name: EXISTING }).waitFor();
    await checkPage(tabA, 'the board at 320 px');
    await fitsWidth(pa, 'the board');

    await pa.getByRole('link', { name: 'Make a suggestion' }).click();
    await waitForPath(pa, '/suggestions/new');
    await pa.getByRole('heading', { level: 1, name: 'Make a suggestion' }).waitFor();
    await pa.waitForLoadState('networkidle');
    await checkPage(tabA, 'the empty form');
    // Typing the title brings the similar suggestion up in the polite live region.
    await pa.getByLabel('Title', { exact: true }).pressSequentially(TITLE, { delay: 15 });
    const hints = pa.locator('#similar-results[aria-live="polite"]');
    await hints.getByRole('link', { name: EXISTING }).waitFor({ timeout: 10_000 });
    await checkPage(tabA, 'the form with a similar suggestion hinted');
    await fitsWidth(pa, 'the new-suggestion form');
    await pa.getByLabel('Description', { exact: true }).fill('Short sessions for the night shift at the front desk.');
    await pa.getByRole('button', { name: 'Submit suggestion' }).click();
    await pa.waitForURL(/\/suggestions\/\d+\?created=1$/);
    const id = suggestionIdOf({ url: () => pa.url().replace(/\?.*$/, '') } as Page);
    await pa.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    // The author's own vote is counted, and can be taken back.
    const ownVote = pa.getByRole('button', { name: `Remove vote for ${TITLE}` });
    expect(await ownVote.getAttribute('aria-pressed')).toBe('true');
    await checkPage(tabA, 'the new suggestion');
    await fitsWidth(pa, 'the suggestion page');

    // B votes from the board, by keyboard.
    const tabB = await signedInTab(browser, origin, b);
    const pb = tabB.page;
    await visit(tabB, `${origin}/suggestions?sort=newest`);
    const voteB = pb.getByRole('button', { name: `Vote for ${TITLE}` });
    expect(await voteB.getAttribute('aria-pressed')).toBe('false');
    await voteB.focus();
    const answered = pb.waitForResponse((r) => r.request().method() === 'POST');
    await pb.keyboard.press('Enter');
    await answered;
    const removeB = pb.getByRole('button', { name: `Remove vote for ${TITLE}` });
    await expect.poll(() => removeB.getAttribute('aria-pressed')).toBe('true');
    await pb.getByText('2 votes').first().waitFor();
    await checkPage(tabB, 'the board after voting');

    // C votes from the suggestion's page.
    const tabC = await signedInTab(browser, origin, c);
    const pc = tabC.page;
    await visit(tabC, `${origin}/suggestions/${id}`);
    await pressAndWait(pc, pc.getByRole('button', { name: `Vote for ${TITLE}` }));
    await expect
      .poll(() => pc.getByRole('button', { name: `Remove vote for ${TITLE}` }).getAttribute('aria-pressed'))
      .toBe('true');
    await pc.getByText('3 votes').waitFor();
    await checkPage(tabC, 'the suggestion after voting');

    // The admin marks it planned with a note.
    const tabAdmin = await signedInTab(browser, origin, admin);
    const pm = tabAdmin.page;
    await visit(tabAdmin, `${origin}/suggestions/${id}`);
    await pm.getByRole('heading', { level: 2, name: 'Update status' }).waitFor();
    await checkPage(tabAdmin, 'the suggestion with the admin form');
    await pm.getByLabel('Status', { exact: true }).selectOption({ label: 'Planned' });
    await pm.getByLabel('Note', { exact: true }).fill(NOTE);
    await pressAndWait(pm, pm.getByRole('button', { name: 'Update status' }));
    await pm.getByText('Status updated. The author and the voters were notified.').waitFor();
    const history = pm.locator('.status-history');
    await history.getByText(NOTE).waitFor();
    expect(await pm.locator('.suggestion-facts .suggestion-status').innerText()).toBe('Planned');
    await checkPage(tabAdmin, 'the suggestion after the status change');

    // B, C and A each see the notification in the bell.
    for (const [tab, who] of [
      [tabB, 'B'],
      [tabC, 'C'],
      [tabA, 'A']
    ] as const) {
      await visit(tab, `${origin}/suggestions`);
      await expectBellUnread(tab);
      await bell(tab.page).click();
      await waitForPath(tab.page, '/notifications');
      const notice = tab.page.getByRole('link', { name: new RegExp(`“${TITLE}” is now Planned`) });
      await notice.waitFor();
      await checkPage(tab, `the notifications of ${who}`);
    }
    // The admin who made the change is not told.
    await visit(tabAdmin, `${origin}/suggestions`);
    expect(await bell(pm).textContent()).not.toMatch(/unread/);

    // The notification leads to the suggestion, with the note in its history.
    await tabA.page.getByRole('link', { name: new RegExp(`“${TITLE}” is now Planned`) }).click();
    await waitForPath(tabA.page, `/suggestions/${id}`);
    await tabA.page.locator('.status-history').getByText(NOTE).waitFor();
    await fitsWidth(tabA.page, 'the suggestion with its history');
    await checkPage(tabA, 'the planned suggestion');

    // With JavaScript the "Original suggestion" field appears only once "Already exists" is chosen.
    await visit(tabAdmin, `${origin}/suggestions/${id}`);
    expect(await pm.getByLabel('Original suggestion').count()).toBe(0);
    await pm.getByLabel('Status', { exact: true }).selectOption({ label: 'Already exists' });
    await pm.getByLabel('Original suggestion').waitFor();
    await checkPage(tabAdmin, 'the admin form for Already exists');

    for (const tab of [tabA, tabB, tabC, tabAdmin]) await tab.context.close();
  });

  it('without JavaScript: the similar check, the privacy question and the vote toggle all work as plain forms', async () => {
    const origin = server.origin;
    const tab = await signedInTab(browser, origin, d, { javaScriptEnabled: false });
    const { page } = tab;
    const noJsCheck = async (label: string) => {
      await auditWithoutJs(browser, page, label);
      assertNoProblems(tab, label);
    };
    await page.goto(`${origin}/suggestions/new`);
    await page.getByLabel('Title', { exact: true }).fill('Front desk training for hotels');
    await page.getByRole('button', { name: 'Check for similar suggestions' }).click();
    await page.locator('#similar-results').getByRole('link', { name: EXISTING }).waitFor();
    await noJsCheck('no-JS similar check');

    await page.getByLabel('Title', { exact: true }).fill(NO_JS_TITLE);
    await page.getByLabel('Description', { exact: true }).fill('Call the coordinator at 713-555-0142 to book a room.');
    await page.getByRole('button', { name: 'Submit suggestion' }).click();
    await page.getByRole('alert').filter({ hasText: 'this may identify a victim' }).waitFor();
    expect(await page.getByLabel('Description', { exact: true }).inputValue()).toContain('713-555-0142');
    // The browser logs the form's 422 answer (the privacy question) as a failed load: expected here, and only that.
    expect(tab.problems.length).toBeGreaterThan(0);
    expect(tab.problems.splice(0).every((p) => p.includes('status of 422'))).toBe(true);
    await noJsCheck('no-JS privacy question');
    await page.getByLabel('I confirm this contains no victim-identifying information').check();
    await page.getByRole('button', { name: 'Submit suggestion' }).click();
    await page.getByRole('heading', { level: 1, name: NO_JS_TITLE }).waitFor();
    const id = Number(/\/suggestions\/(\d+)/.exec(page.url())![1]);
    await noJsCheck('no-JS new suggestion');

    await page.getByRole('button', { name: `Remove vote for ${NO_JS_TITLE}` }).click();
    await page.getByRole('button', { name: `Vote for ${NO_JS_TITLE}` }).waitFor();
    expect(await page.getByRole('button', { name: `Vote for ${NO_JS_TITLE}` }).getAttribute('aria-pressed')).toBe('false');
    await page.goto(`${origin}/suggestions/${id}`);
    await page.getByText('0 votes').waitFor();
    await noJsCheck('no-JS vote removed');

    // The author edits it while it is still New.
    await page.getByText('Edit your suggestion').click();
    await page.getByLabel('Title', { exact: true }).fill(`${NO_JS_TITLE} and vehicles`);
    await page.getByRole('button', { name: 'Save changes' }).click();
    // The description still holds the phone number: the privacy question is asked again, inside the open form.
    await page.getByRole('alert').filter({ hasText: 'this may identify a victim' }).waitFor();
    expect(tab.problems.splice(0).every((p) => p.includes('status of 422'))).toBe(true);
    await noJsCheck('no-JS edit with the privacy question');
    await page.getByLabel('I confirm this contains no victim-identifying information').check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: `${NO_JS_TITLE} and vehicles` }).waitFor();
    await page.getByText('Changes saved.').waitFor();
    await noJsCheck('no-JS edited');
    await tab.context.close();
  });
});
