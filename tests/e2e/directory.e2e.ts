import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { checkPage, launch, pressAndWait, visit } from './support/browser.ts';
import { signedInTab, type MemberTab } from './support/discussions.ts';
import { expectNotInApi, expectNotInHtml, photoPng, statusFor } from './support/directory.ts';
import { tabTo } from './support/keyboard.ts';
import { auditWithoutJs, scrollWidth } from './support/resources.ts';
import { seeder, type SeededMember } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';

const HOUSTON = 'Houston Area Task Force (fictional)';
const BAYOU = 'Bayou Parish Task Force (fictional)';

/** The undercover officer: name and photo for staff only, agency for everyone. */
const HIDDEN_FIRST = 'Morgan';
const HIDDEN_LAST = 'Vance';
const HIDDEN_NAME = `${HIDDEN_FIRST} ${HIDDEN_LAST}`;
const AGENCY = 'Gulf Coast Police Department (fictional)';
const SHOWN_AS = `A member of ${AGENCY}`;
const EXPERTISE = 'labor trafficking';

const WIDTH = 320;

function memberIdOf(page: Page): number {
  const match = /^\/members\/(\d+)$/.exec(new URL(page.url()).pathname);
  if (!match) throw new Error(`not a profile page: ${page.url()}`);
  return Number(match[1]);
}

describe('the member directory, profiles and task forces in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: SeededMember;
  let officer: SeededMember;
  let colleague: SeededMember;
  let outsider: SeededMember;
  let houstonId: number;
  /** The officer's photo, as the API serves it (set by the first test). */
  let photoPath = '';

  beforeAll(async () => {
    // startServer passes the child only the variables it names: a second web build has to be handed on.
    server = await startServer(process.env.WEB_BUILD_DIR ? { WEB_BUILD_DIR: process.env.WEB_BUILD_DIR } : {});
    const seed = seeder(server);
    const houston = seed.taskForce(HOUSTON, ['TX']);
    const bayou = seed.taskForce(BAYOU, ['LA']);
    houstonId = houston.id;
    admin = await seed.member({ role: 'admin', name: 'Jordan Reyes (fictional)' });
    officer = await seed.member({ name: HIDDEN_NAME, taskForceId: houston.id });
    colleague = await seed.member({ name: 'Blair Okafor', taskForceId: houston.id, discipline: 'prosecution' });
    outsider = await seed.member({ name: 'Quinn Broussard', taskForceId: bayou.id, discipline: 'victim_services' });
    seed.close();
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a member edits their profile: photo, details, a bio the privacy guard asks about, and who can see each field', async () => {
    const origin = server.origin;
    const tab = await signedInTab(browser, origin, officer);
    const { page } = tab;

    await visit(tab, `${origin}/members`);
    await page.getByRole('link', { name: 'Edit your profile' }).click();
    await page.waitForURL((url) => url.pathname === '/account/profile');
    await page.getByRole('heading', { level: 1, name: 'Edit your profile' }).waitFor();
    await checkPage(tab, 'the profile form');

    // A photo first: streamed through the page's form action to the image store.
    await page
      .getByLabel('Photo', { exact: true })
      .setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await photoPng() });
    await pressAndWait(page, page.getByRole('button', { name: 'Upload photo' }));
    await page.getByRole('status').filter({ hasText: 'Your new photo is saved.' }).waitFor();
    const photo = page.getByRole('img', { name: HIDDEN_NAME });
    await photo.waitFor();
    photoPath = (await photo.getAttribute('src')) ?? '';
    expect(photoPath).toMatch(/^\/api\/images\/\d+$/);
    await checkPage(tab, 'the profile form with a photo');

    await page.getByLabel('Job title', { exact: true }).fill('Detective, labor trafficking unit');
    await page.getByLabel('Agency', { exact: true }).fill(AGENCY);
    await page.getByLabel('State', { exact: true }).selectOption({ label: 'Texas' });
    await page.getByLabel('Areas of expertise', { exact: true }).fill(`${EXPERTISE}, Forensic interviews`);
    await page.getByLabel('Languages', { exact: true }).fill('English, Spanish');
    await page.getByLabel('Bio', { exact: true }).fill('I work labor cases on the coast. Reach our desk at 713-555-0142.');
    await page.getByLabel('Who can see your name').selectOption({ label: 'Staff only' });
    await page.getByLabel('Who can see your photo').selectOption({ label: 'Staff only' });
    await page.getByLabel('Who can see your agency').selectOption({ label: 'All members' });
    await pressAndWait(page, page.getByRole('button', { name: 'Save profile' }));

    // A phone number in the bio: the privacy guard asks first, as it does for posts; nothing typed is lost.
    await page.getByRole('alert').filter({ hasText: 'Check before saving' }).waitFor();
    expect(await page.getByLabel('Agency', { exact: true }).inputValue()).toBe(AGENCY);
    expect(await page.getByLabel('Who can see your name').inputValue()).toBe('staff');
    await checkPage(tab, 'the profile form asking about privacy');
    await page.getByLabel('I confirm this contains no victim-identifying information').check();
    await pressAndWait(page, page.getByRole('button', { name: 'Save profile' }));
    await page.getByRole('status').filter({ hasText: 'Your profile is saved.' }).waitFor();
    await checkPage(tab, 'the profile form saved');

    // Reloaded from the server: every choice stuck.
    await visit(tab, `${origin}/account/profile`);
    expect(await page.getByLabel('Who can see your name').inputValue()).toBe('staff');
    expect(await page.getByLabel('Who can see your photo').inputValue()).toBe('staff');
    // Tags are stored lower-cased.
    const expertise = (await page.getByLabel('Areas of expertise', { exact: true }).inputValue()).split(', ');
    expect(expertise.sort()).toEqual(['forensic interviews', EXPERTISE]);

    // Their own profile shows them everything, and offers the edit instead of a message.
    await page.getByRole('link', { name: 'See your profile as others see it' }).click();
    await page.waitForURL((url) => /^\/members\/\d+$/.test(url.pathname));
    expect(memberIdOf(page)).toBe(officer.id);
    await page.getByRole('heading', { level: 1, name: HIDDEN_NAME }).waitFor();
    await page.getByRole('link', { name: 'Edit your profile' }).waitFor();
    expect(await page.getByRole('link', { name: 'Send a message' }).count()).toBe(0);
    await page.getByRole('link', { name: EXPERTISE }).waitFor();
    await checkPage(tab, 'my own profile');

    // Remove the photo and put it back: the button does what it says.
    await visit(tab, `${origin}/account/profile`);
    await pressAndWait(page, page.getByRole('button', { name: 'Remove photo' }));
    await page.getByRole('status').filter({ hasText: 'Your photo is removed.' }).waitFor();
    expect(await page.getByRole('img', { name: HIDDEN_NAME }).count()).toBe(0);
    await page
      .getByLabel('Photo', { exact: true })
      .setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await photoPng('#993366') });
    await pressAndWait(page, page.getByRole('button', { name: 'Upload photo' }));
    await page.getByRole('img', { name: HIDDEN_NAME }).waitFor();
    photoPath = (await page.getByRole('img', { name: HIDDEN_NAME }).getAttribute('src')) ?? '';
    await tab.context.close();
  });

  it('without JavaScript, the profile form and the photo upload work as plain forms', async () => {
    const origin = server.origin;
    const tab = await signedInTab(browser, origin, colleague, { javaScriptEnabled: false });
    const { page } = tab;
    await page.goto(`${origin}/account/profile`);
    await page.getByRole('heading', { level: 1, name: 'Edit your profile' }).waitFor();
    await page.getByLabel('Job title', { exact: true }).fill('Assistant district attorney');
    await page.getByLabel('Areas of expertise', { exact: true }).fill('asset forfeiture');
    await page.getByRole('radio', { name: 'E-mail' }).check();
    await page.getByRole('button', { name: 'Save profile' }).click();
    // E-mail as the preferred contact needs an address: refused beside the field, everything typed kept.
    await page.getByRole('alert').first().waitFor();
    expect(await page.getByLabel('Job title', { exact: true }).inputValue()).toBe('Assistant district attorney');
    await auditWithoutJs(browser, page, 'the profile form with an error');
    await page.getByLabel('Contact e-mail').fill('blair.okafor@da.example.gov');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('status').filter({ hasText: 'Your profile is saved.' }).waitFor();
    await page
      .getByLabel('Photo', { exact: true })
      .setInputFiles({ name: 'b.jpg', mimeType: 'image/png', buffer: await photoPng('#446633') });
    await page.getByRole('button', { name: 'Upload photo' }).click();
    await page.getByRole('status').filter({ hasText: 'Your new photo is saved.' }).waitFor();
    await page.goto(`${origin}/members/${colleague.id}`);
    await page.getByRole('heading', { level: 1, name: 'Blair Okafor' }).waitFor();
    await page.getByRole('img', { name: 'Blair Okafor' }).waitFor();
    await page.getByText('Assistant district attorney', { exact: false }).waitFor();
    await page.getByRole('link', { name: 'blair.okafor@da.example.gov' }).first().waitFor();
    await auditWithoutJs(browser, page, 'a profile with a photo');
    await tab.context.close();
  });

  it('a hidden name never reaches a member of another task force: not the profile, the list, a search, the task force page, nor the API', async () => {
    expect(photoPath, 'the first test sets the photo').not.toBe('');
    const origin = server.origin;
    const tab = await signedInTab(browser, origin, outsider);
    const { page } = tab;
    const secrets = [HIDDEN_FIRST, HIDDEN_LAST];

    // The profile: the agency stands in for the name, no photo, and "Ask an expert" still works.
    await visit(tab, `${origin}/members/${officer.id}`);
    await page.getByRole('heading', { level: 1, name: SHOWN_AS }).waitFor();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Send a message' }).getAttribute('href')).toBe(`/messages/new?to=${officer.id}`);
    await expectNotInHtml(page, [...secrets, photoPath]);
    await expectNotInApi(page, `/members/${officer.id}`, [...secrets, photoPath]);
    expect(await statusFor(tab.context, origin, photoPath), 'the hidden photo itself').toBe(404);
    await checkPage(tab, 'a profile with a hidden name');

    // The directory: found by expertise, listed under the stand-in name.
    await visit(tab, `${origin}/members`);
    await page.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
    await checkPage(tab, 'the directory');
    await page.getByLabel('Expertise', { exact: true }).fill(EXPERTISE);
    await page.getByLabel('State', { exact: true }).selectOption('TX');
    await page.getByRole('button', { name: 'Find members' }).click();
    await page.waitForURL((url) => url.searchParams.get('expertise') === EXPERTISE);
    const results = page.getByRole('list', { name: 'Members found' });
    await results.getByRole('link', { name: SHOWN_AS }).waitFor();
    expect(await results.getByRole('link', { name: SHOWN_AS }).getAttribute('href')).toBe(`/members/${officer.id}`);
    await expectNotInHtml(page, secrets);
    await expectNotInApi(page, `/members?expertise=${encodeURIComponent(EXPERTISE)}&state=TX`, secrets);
    await checkPage(tab, 'the directory filtered');

    // Searching by the hidden name finds nothing: the name is no oracle.
    await page.getByLabel('Expertise', { exact: true }).fill('');
    await page.getByLabel('State', { exact: true }).selectOption({ label: 'All states' });
    await page.getByLabel('Search', { exact: true }).fill(HIDDEN_LAST);
    await page.getByRole('button', { name: 'Find members' }).click();
    await page.waitForURL((url) => url.searchParams.get('q') === HIDDEN_LAST);
    await page.getByRole('status').filter({ hasText: 'No member matches' }).waitFor();
    await expectNotInHtml(page, [HIDDEN_FIRST]);
    const byName = JSON.parse(await expectNotInApi(page, `/members?q=${HIDDEN_LAST}`, secrets)) as { members: unknown[] };
    expect(byName.members).toEqual([]);
    await checkPage(tab, 'the directory with no match');

    // The site search: no member result for the name, and the name nowhere but in the search box.
    await visit(tab, `${origin}/search?q=${HIDDEN_LAST}`);
    const memberResults = page.getByRole('region', { name: 'Members' });
    await memberResults.getByText(`No member’s profile matches “${HIDDEN_LAST}”.`).waitFor();
    await expectNotInHtml(page, [HIDDEN_FIRST]);
    // (The reply repeats the query itself: only the first name must be absent.)
    const search = JSON.parse(await expectNotInApi(page, `/search?q=${HIDDEN_LAST}`, [HIDDEN_FIRST])) as {
      members?: { id: number }[];
    };
    expect((search.members ?? []).map((m) => m.id)).not.toContain(officer.id);
    await checkPage(tab, 'the search page with no member found');

    // Their task force's page lists them under the stand-in name.
    await visit(tab, `${origin}/task-forces/${houstonId}`);
    await page.getByRole('heading', { level: 1, name: HOUSTON }).waitFor();
    await page.getByRole('list', { name: 'Members' }).getByRole('link', { name: SHOWN_AS }).waitFor();
    await expectNotInHtml(page, secrets);
    await expectNotInApi(page, `/task-forces/${houstonId}`, secrets);
    await checkPage(tab, 'a task force page');
    await tab.context.close();

    // Staff see the name and the photo.
    const staff = await signedInTab(browser, origin, admin);
    await visit(staff, `${origin}/members/${officer.id}`);
    await staff.page.getByRole('heading', { level: 1, name: HIDDEN_NAME }).waitFor();
    await staff.page.getByRole('img', { name: HIDDEN_NAME }).waitFor();
    expect(await statusFor(staff.context, origin, photoPath)).toBe(200);
    await checkPage(staff, 'a profile seen by staff');

    // An administrator describes the task force's region; its page shows it.
    const sp = staff.page;
    await visit(staff, `${origin}/admin/task-forces`);
    await sp.getByText(`Edit ${HOUSTON}`).click();
    await sp
      .getByLabel('Region')
      .and(sp.locator(`#region-${houstonId}`))
      .fill('Harris County and the Houston metro');
    await sp
      .getByLabel('Description')
      .and(sp.locator(`#description-${houstonId}`))
      .fill('Labor and sex trafficking cases.');
    await pressAndWait(
      sp,
      sp.locator(`#region-${houstonId}`).locator('xpath=ancestor::form').getByRole('button', { name: 'Save changes' })
    );
    await sp
      .getByRole('status')
      .filter({ hasText: `Saved the changes to ${HOUSTON}.` })
      .waitFor();
    await checkPage(staff, 'the task force form saved');
    // A resource from the task force is listed on its page.
    const shared = await staff.api.ok<{ id: number }>('POST', '/resources', {
      title: 'Houston labor site visit protocol',
      description: 'What our investigators check on a labor site visit.',
      type: 'protocol',
      tags: [],
      url: 'https://example.org/site-visit',
      audience: 'all',
      taskForceIds: [],
      disciplines: [],
      originTaskForceId: houstonId
    });
    await visit(staff, `${origin}/task-forces/${houstonId}`);
    expect(await sp.getByRole('link', { name: 'Houston labor site visit protocol' }).getAttribute('href')).toBe(
      `/resources/${shared.id}`
    );
    await sp.getByText('Harris County and the Houston metro', { exact: true }).waitFor();
    await sp.getByText('Labor and sex trafficking cases.', { exact: true }).waitFor();
    await sp.getByRole('list', { name: 'Members' }).getByRole('link', { name: HIDDEN_NAME }).waitFor();
    await checkPage(staff, 'a task force page seen by staff');
    await staff.context.close();
  });

  it('by keyboard: a state on the map, its task force, a member’s profile; both main pages fit 320 px', async () => {
    const origin = server.origin;
    const tab: MemberTab = await signedInTab(browser, origin, outsider);
    const { page } = tab;

    await visit(tab, `${origin}/task-forces`);
    await page.getByRole('heading', { level: 1, name: 'Task forces' }).waitFor();
    const map = page.getByRole('navigation', { name: 'Map of task forces' });
    // States without a task force are not links; the list alternative holds the same.
    expect(await map.getByRole('link').count()).toBe(2);
    await page.getByRole('region', { name: 'Task forces by state' }).getByRole('link', { name: HOUSTON }).waitFor();
    await checkPage(tab, 'the task forces map');

    await tabTo(page, 'Texas: 1 task force', { max: 60 });
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/task-forces' && url.searchParams.get('state') === 'TX');
    await page.getByRole('heading', { level: 1, name: 'Task forces in Texas' }).waitFor();
    expect(await page.getByRole('link', { name: BAYOU }).count()).toBe(0);
    expect(await map.getByRole('link', { name: 'Texas: 1 task force' }).getAttribute('aria-current')).toBe('true');
    await checkPage(tab, 'the task forces in one state');

    await tabTo(page, HOUSTON, { max: 60 });
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === `/task-forces/${houstonId}`);
    await page.getByRole('heading', { level: 1, name: HOUSTON }).waitFor();
    await page.getByRole('link', { name: 'Blair Okafor' }).click();
    await page.waitForURL((url) => url.pathname === `/members/${colleague.id}`);
    await page.getByRole('heading', { level: 1, name: 'Blair Okafor' }).waitFor();
    await page.getByText('Prosecution', { exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'Send a message' }).getAttribute('href')).toBe(
      `/messages/new?to=${colleague.id}`
    );
    await checkPage(tab, 'a member profile');

    await page.setViewportSize({ width: WIDTH, height: 800 });
    for (const path of ['/task-forces', '/members', `/members/${colleague.id}`]) {
      await visit(tab, `${origin}${path}`);
      expect(await scrollWidth(page), `${path} at ${WIDTH} px`).toBeLessThanOrEqual(WIDTH);
      await checkPage(tab, `${path} at ${WIDTH} px`);
    }
    const mapBox = await page.goto(`${origin}/task-forces`).then(() => page.locator('svg.us-map').boundingBox());
    expect(mapBox?.width ?? 0).toBeGreaterThan(200);
    expect(mapBox?.width ?? WIDTH + 1).toBeLessThanOrEqual(WIDTH);
    await tab.context.close();
  });
});
