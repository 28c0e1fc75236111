import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { checkPage, launch, pressAndWait, visit } from './support/browser.ts';
import { apiSession, signedInTab, type MemberTab } from './support/discussions.ts';
import { waitForPath } from './support/flows.ts';
import { auditWithoutJs, scrollWidth } from './support/resources.ts';
import { seeder, type SeededMember } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';
import { addDays, eventually, futureMonday, serverTimeCodes, testClock, type TestClock } from './support/spotlights.ts';

const HOUSTON = 'Houston Area Task Force (fictional)';
const TITLE = 'Building trust with labor inspectors';
const SUMMARY = 'How one investigator turned a single joint site visit into a standing referral line.';
/** Only in the body: the archive search must find it. */
const BODY_WORD = 'orchardline';
const BODY = `## What worked\n\nMonthly coffee with the state labor inspectors, and the ${BODY_WORD} checklist they now bring to every site visit.`;
const ALT = 'Two investigators reviewing a checklist at a table';
const PENDING_TITLE = 'Shelter partnerships that last';
const CHANGES = 'Please leave out the name of the shelter’s town.';
const WIDTH = 320;

function spotlightIdOf(page: Page): number {
  const match = /^\/spotlights\/(\d+)$/.exec(new URL(page.url()).pathname);
  if (!match) throw new Error(`not a spotlight page: ${page.url()}`);
  return Number(match[1]);
}

/** The home page's "This week’s spotlight" section. */
const homeSpotlight = (page: Page) => page.getByRole('region', { name: 'This week’s spotlight' });

async function fitsNarrow(tab: MemberTab, url: string, label: string): Promise<void> {
  await tab.page.setViewportSize({ width: WIDTH, height: 800 });
  await visit(tab, url);
  expect(await scrollWidth(tab.page), `${label} at ${WIDTH} px`).toBeLessThanOrEqual(WIDTH);
  await checkPage(tab, `${label} at ${WIDTH} px`);
  await tab.page.setViewportSize({ width: 1280, height: 800 });
}

describe('weekly spotlights in a real browser, with a mocked clock', () => {
  let server: RunningServer;
  let browser: Browser;
  let clock: TestClock;
  let clockDir: string;
  let week: string;
  let editor: SeededMember;
  let featured: SeededMember;
  let reader: SeededMember;
  let other: SeededMember;
  let spotlightId = 0;
  let pendingId = 0;

  beforeAll(async () => {
    clockDir = mkdtempSync(path.join(tmpdir(), 'tfc-spotlight-clock-'));
    clock = testClock(clockDir);
    // The server's now: a Monday 08:55 in New York, five minutes before that week's slot publishes.
    week = futureMonday('America/New_York');
    await clock.setZoned(week, '08:55');
    server = await startServer({
      NODE_ENV: 'test',
      TEST_CLOCK_FILE: clock.file,
      SPOTLIGHT_JOB_INTERVAL_MS: '1000',
      ...(process.env.WEB_BUILD_DIR ? { WEB_BUILD_DIR: process.env.WEB_BUILD_DIR } : {})
    });
    const seed = seeder(server);
    const houston = seed.taskForce(HOUSTON);
    const seededEditor = await seed.member({ role: 'editor', name: 'Riley Castellanos (fictional)' });
    featured = await seed.member({ name: 'Morgan Achebe', taskForceId: houston.id });
    reader = await seed.member({ name: 'Terry Lindqvist', taskForceId: houston.id });
    other = await seed.member({ name: 'Noor Haddad', taskForceId: houston.id });
    seed.close();
    // Staff sign in with TOTP: codes at the server's (offset) time.
    editor = { ...seededEditor, code: serverTimeCodes(server, seededEditor.id, clock) };
    browser = await launch();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (clockDir) rmSync(clockDir, { recursive: true, force: true });
  });

  it('an editor schedules a member spotlight, the member approves it, the clock publishes it, a third member sees it', async () => {
    const origin = server.origin;
    const ed = await signedInTab(browser, origin, editor);
    const { page } = ed;

    // The archive is empty; editors see how to write one.
    await visit(ed, `${origin}/spotlights`);
    await page.getByRole('heading', { level: 1, name: 'Spotlights' }).waitFor();
    await page.getByText('No spotlight is running this week.').waitFor();
    await checkPage(ed, 'the empty spotlights page (editor)');
    await page.getByRole('link', { name: 'Write a spotlight' }).click();
    await waitForPath(page, '/spotlights/new');
    await page.getByRole('heading', { level: 1, name: 'Write a spotlight' }).waitFor();
    await checkPage(ed, 'the write form');

    await page.getByRole('group', { name: 'Kind' }).getByRole('radio', { name: 'Member', exact: true }).check();
    await page.getByLabel('Title', { exact: true }).fill(TITLE);
    await page.getByLabel('Summary', { exact: true }).fill(SUMMARY);
    await page.getByLabel('Body (Markdown)').fill(BODY);

    // An image: uploaded to the library, its Markdown added to the body with the description asked for.
    const png = await sharp({ create: { width: 64, height: 40, channels: 3, background: '#1d3f6e' } })
      .png()
      .toBuffer();
    await page.getByLabel('Image description (alt text)').fill(ALT);
    await page.getByLabel('Image file').setInputFiles({ name: 'visit.png', mimeType: 'image/png', buffer: png });
    await pressAndWait(page, page.getByRole('button', { name: 'Add image' }));
    await page.getByRole('status').filter({ hasText: 'Image added' }).waitFor();
    const body = await page.getByLabel('Body (Markdown)').inputValue();
    expect(body).toContain(BODY_WORD);
    expect(body).toMatch(new RegExp(`!\\[${ALT}\\]\\(/api/images/\\d+\\)`));
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe(TITLE);
    await checkPage(ed, 'the write form after adding an image');

    // The featured member: found by name, then chosen.
    await page.getByLabel('Find a member by name').fill('Achebe');
    await pressAndWait(page, page.getByRole('button', { name: 'Find member' }));
    await page
      .getByRole('group', { name: 'Choose the featured member' })
      .getByRole('radio', { name: /Morgan Achebe/ })
      .check();
    await page.getByLabel('Week of').fill(week);
    await pressAndWait(page, page.getByRole('button', { name: 'Preview' }));
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.getByRole('img', { name: ALT }).waitFor();
    await checkPage(ed, 'the write form with a preview');

    await page.getByRole('button', { name: 'Save spotlight' }).click();
    await page.waitForURL((url) => /^\/spotlights\/\d+$/.test(url.pathname), { timeout: 15_000 });
    spotlightId = spotlightIdOf(page);
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Spotlight saved.' }).waitFor();
    await page.getByText(`Waiting for approval by ${featured.name}`).waitFor();
    await page.getByRole('img', { name: ALT }).waitFor();
    // Nothing here lets an editor publish or approve it.
    expect(await page.getByRole('button', { name: /publish|approve/i }).count()).toBe(0);
    await checkPage(ed, 'a scheduled spotlight waiting for approval (editor)');

    // The calendar shows it in its week, waiting.
    await page.getByRole('link', { name: 'Calendar' }).click();
    await waitForPath(page, '/spotlights/calendar');
    const slot = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: TITLE }) });
    await slot.getByText('Waiting for approval').waitFor();
    expect(await page.getByText('Empty week').count()).toBeGreaterThan(0);
    await checkPage(ed, 'the calendar');

    // The featured member is asked: a notification, the home page list, and the approval panel.
    const m = await signedInTab(browser, origin, featured);
    await visit(m, `${origin}/`);
    await m.page
      .getByRole('region', { name: 'Spotlights waiting for your approval' })
      .getByRole('link', { name: TITLE })
      .waitFor();
    await checkPage(m, 'the home page with a spotlight to approve');
    await visit(m, `${origin}/notifications`);
    const ask = m.page.getByRole('link', { name: new RegExp(`approve.*${TITLE}`, 'i') });
    await ask.waitFor();
    await checkPage(m, 'the notifications with a consent request');
    await ask.click();
    await m.page.waitForURL((url) => url.pathname === `/spotlights/${spotlightId}`, { timeout: 15_000 });
    await m.page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    const panel = m.page.getByRole('region', { name: 'Your approval' });
    await panel.waitFor();
    expect(await m.page.getByText(BODY_WORD, { exact: false }).count()).toBeGreaterThan(0);
    await checkPage(m, 'the approval panel');
    // Asking for changes needs a comment: refused with the reason beside the box.
    await pressAndWait(m.page, panel.getByRole('button', { name: 'Ask for changes' }));
    await panel.getByText('Say what should change.').waitFor();
    await checkPage(m, 'the approval panel refusing an empty comment');
    await pressAndWait(m.page, panel.getByRole('button', { name: 'Approve', exact: true }));
    await panel.getByRole('status').filter({ hasText: 'You approved the spotlight.' }).waitFor();
    await checkPage(m, 'the approval panel after approving');

    // Before the slot's time the third member's home page has no spotlight.
    const r = await signedInTab(browser, origin, reader);
    await visit(r, `${origin}/`);
    await homeSpotlight(r.page).getByText('No spotlight this week.').waitFor();
    expect(await r.page.getByRole('link', { name: TITLE }).count()).toBe(0);
    await checkPage(r, 'the home page without a spotlight');

    // 09:01 in New York: the publish job runs (every second in this test) and publishes it.
    await clock.setZoned(week, '09:01');
    await eventually('the spotlight on the third member’s home page', async () => {
      await visit(r, `${origin}/`);
      return (await homeSpotlight(r.page).getByRole('link', { name: TITLE }).count()) === 1;
    });
    const home = homeSpotlight(r.page);
    await home.getByText(SUMMARY).waitFor();
    expect(await home.locator('img').count()).toBe(1);
    await checkPage(r, 'the home page with this week’s spotlight');
    await fitsNarrow(r, `${origin}/`, 'the home page with a spotlight');

    // The bell counts it; the notification opens the spotlight, with its comments.
    const published = r.page.getByRole('link', { name: new RegExp(TITLE) });
    await eventually('the published spotlight in the third member’s notifications', async () => {
      await visit(r, `${origin}/notifications`);
      return (await published.count()) === 1;
    });
    await r.page.getByRole('link', { name: /^Notifications.*\d+ unread$/ }).waitFor();
    await checkPage(r, 'the notifications with a published spotlight');
    await published.click();
    await r.page.waitForURL((url) => url.pathname === `/spotlights/${spotlightId}`, { timeout: 15_000 });
    await r.page.getByRole('heading', { level: 2, name: 'Comments' }).waitFor();
    await r.page.getByRole('link', { name: featured.name }).waitFor();
    expect(await r.page.getByRole('region', { name: 'Your approval' }).count()).toBe(0);
    await checkPage(r, 'a published spotlight');
    await r.page.getByLabel('Message (Markdown)').fill('We started the same coffee meetings last month. Thank you for sharing.');
    await r.page.getByRole('button', { name: 'Add comment' }).click();
    await r.page.getByText('We started the same coffee meetings last month.').waitFor();
    await checkPage(r, 'a published spotlight with a comment');

    // The archive: on top as this week's, and found by a word of its body.
    await visit(r, `${origin}/spotlights`);
    await r.page.getByRole('region', { name: 'This week’s spotlight' }).getByRole('link', { name: TITLE }).waitFor();
    expect(await r.page.getByRole('link', { name: 'Write a spotlight' }).count()).toBe(0);
    await checkPage(r, 'the spotlights page with the current spotlight');
    await r.page.getByLabel('Search spotlights').fill(BODY_WORD);
    await r.page.getByRole('button', { name: 'Search', exact: true }).click();
    await r.page.waitForURL((url) => url.searchParams.get('q') === BODY_WORD, { timeout: 15_000 });
    await r.page.getByRole('heading', { level: 2, name: 'Spotlights found' }).waitFor();
    await r.page.getByRole('link', { name: TITLE }).waitFor();
    await checkPage(r, 'the spotlight search results');
    await fitsNarrow(r, `${origin}/spotlights`, 'the spotlights page');

    await Promise.all([ed.context.close(), m.context.close(), r.context.close()]);
  }, 240_000);

  it('a spotlight whose slot passes without approval is not published, and an editor cannot approve it', async () => {
    const origin = server.origin;
    const nextWeek = addDays(week, 7);
    const ed = await apiSession(origin, editor);
    const made = await ed.api.ok<{ id: number; consent: { state: string } }>('POST', '/spotlights', {
      kind: 'member',
      title: PENDING_TITLE,
      summary: 'Three shelters, one shared intake agreement.',
      body: 'How the agreement was written, and what each side promised.',
      featuredMemberId: other.id,
      week: nextWeek,
      confirmPrivacy: true
    });
    expect(made.consent.state).toBe('pending');
    // The editor cannot answer for the member.
    const bypass = await ed.api.post(`/spotlights/${made.id}/consent`, { revision: 1, decision: 'approve' });
    expect(bypass.status).toBeGreaterThanOrEqual(400);
    expect(bypass.status).toBeLessThan(500);
    await ed.close();
    // The member asks for changes instead of approving.
    const asked = await apiSession(origin, other);
    await asked.api.ok('POST', `/spotlights/${made.id}/consent`, { revision: 1, decision: 'changes', comment: CHANGES });
    await asked.close();
    pendingId = made.id;

    // A week later, 09:01: the slot's time passes with approval still pending.
    await clock.setZoned(nextWeek, '09:01');
    // Sessions idled out over the week: sign in again (the editor's code at the server's new time).
    const watcher = await apiSession(origin, editor);
    await eventually('the editor told the spotlight waits for approval', async () => {
      const list = await watcher.api.ok<{ notifications: { text: string }[] }>('GET', '/notifications');
      return list.notifications.some((n) => n.text.includes(PENDING_TITLE) && /waiting for approval/i.test(n.text));
    });
    const state = await watcher.api.ok<{ status: string; publishedAt: number | null }>('GET', `/spotlights/${made.id}`);
    expect(state.publishedAt).toBeNull();
    expect(state.status).toBe('waiting');
    await watcher.close();

    const r = await signedInTab(browser, origin, reader);
    await visit(r, `${origin}/`);
    await homeSpotlight(r.page).waitFor();
    expect(await r.page.getByRole('link', { name: PENDING_TITLE }).count()).toBe(0);
    await checkPage(r, 'the home page while a spotlight waits for approval');
    await visit(r, `${origin}/spotlights`);
    expect(await r.page.getByRole('link', { name: PENDING_TITLE }).count()).toBe(0);
    const direct = await r.api.get(`/spotlights/${made.id}`);
    expect(direct.status).toBe(404);
    await r.context.close();
  }, 180_000);

  it('without JavaScript, an editor finds the member, answers the privacy check, saves a draft and uses the calendar', async () => {
    const origin = server.origin;
    const ed = await signedInTab(browser, origin, editor, { javaScriptEnabled: false });
    const { page } = ed;
    await page.goto(`${origin}/spotlights/new`);
    await page.getByRole('heading', { level: 1, name: 'Write a spotlight' }).waitFor();
    await page.getByRole('radio', { name: 'Member', exact: true }).check();
    await page.getByLabel('Title', { exact: true }).fill('A coordinator’s first year');
    await page.getByLabel('Body (Markdown)').fill('What surprised her, and what she would do again.');
    await page.getByLabel('Find a member by name').fill('Haddad');
    await page.getByRole('button', { name: 'Find member' }).click();
    await page
      .getByRole('group', { name: 'Choose the featured member' })
      .getByRole('radio', { name: /Noor Haddad/ })
      .check();
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('A coordinator’s first year');
    await auditWithoutJs(browser, page, 'the write form after finding a member');
    // A phone number in the body: the privacy guard asks first, as it does for posts.
    await page.getByLabel('Body (Markdown)').fill('What surprised her, and what she would do again. Her desk: 713-555-0142.');
    await page.getByRole('button', { name: 'Save spotlight' }).click();
    await page.getByRole('alert').filter({ hasText: 'Check before saving: this may identify a victim.' }).waitFor();
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('A coordinator’s first year');
    await auditWithoutJs(browser, page, 'the write form asking about privacy');
    await page.getByRole('button', { name: 'Save anyway' }).click();
    await page.getByText('Tick the box to confirm').first().waitFor();
    await page.getByLabel('I confirm this contains no victim-identifying information').check();
    await page.getByRole('button', { name: 'Save anyway' }).click();
    await page.waitForURL((url) => /^\/spotlights\/\d+$/.test(url.pathname), { timeout: 15_000 });
    await page.getByText('Waiting for approval by Noor Haddad').waitFor();
    await auditWithoutJs(browser, page, 'a draft spotlight');

    // The calendar: the draft goes into the first empty week, then comes out again.
    await page.goto(`${origin}/spotlights/calendar`);
    await page.getByRole('heading', { level: 1, name: 'Spotlight calendar' }).waitFor();
    const empty = page.getByRole('listitem').filter({ hasText: 'Empty week' }).first();
    const slotWeek = await empty.getByRole('heading', { level: 2 }).innerText();
    await empty.getByLabel('Draft to schedule').selectOption({ label: 'A coordinator’s first year (Waiting for approval)' });
    await empty.getByRole('button', { name: 'Schedule for this week' }).click();
    const filled = page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 2, name: slotWeek }) });
    await filled.getByRole('status').filter({ hasText: 'Scheduled.' }).waitFor();
    await filled.getByRole('link', { name: 'A coordinator’s first year' }).waitFor();
    await auditWithoutJs(browser, page, 'the calendar after scheduling a draft');
    await filled.getByRole('button', { name: 'Unschedule “A coordinator’s first year”' }).click();
    await filled.getByRole('status').filter({ hasText: 'it is a draft again' }).waitFor();
    await filled.getByText('Empty week').waitFor();

    // The editor sees what the member asked for, and the history.
    await page.goto(`${origin}/spotlights/${pendingId}/edit`);
    await page.getByRole('heading', { level: 1, name: 'Edit the spotlight' }).waitFor();
    await page.getByText(`Changes asked: ${CHANGES}`).waitFor();
    await page.getByText(/^Approval history \(\d+\)$/).waitFor();
    await auditWithoutJs(browser, page, 'the edit page with changes asked');

    // Withdrawn: its week is free again, and the member is no longer asked.
    await page.getByText('Withdraw this spotlight').click();
    await page.getByRole('button', { name: 'Withdraw spotlight' }).click();
    await waitForPath(page, '/spotlights/calendar');
    await page.getByText('The spotlight was withdrawn; its week is free.').waitFor();
    expect(await page.getByRole('link', { name: PENDING_TITLE }).count()).toBe(0);
    await ed.context.close();
  }, 120_000);
});
