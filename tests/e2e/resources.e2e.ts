import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { checkPage, launch, pressAndWait, visit } from './support/browser.ts';
import { signedInTab, type MemberTab } from './support/discussions.ts';
import { waitForPath } from './support/flows.ts';
import { auditWithoutJs, minimalPdf, recordUploadProgress, scrollWidth, uploadLog } from './support/resources.ts';
import { seeder, type SeededMember } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';

const HOUSTON = 'Houston Area Task Force (fictional)';
const BAYOU = 'Bayou Parish Task Force (fictional)';

const TITLE = 'Trauma-informed victim interview protocol';
/** Only in the description: metadata search must find it at once. */
const DESCRIPTION_WORD = 'lanternfield';
const DESCRIPTION = `The ${DESCRIPTION_WORD} protocol our task force uses for a first interview: rooms, breaks, advocates present.`;
/** Only inside the PDF: search finds it once the server has read the file's text. */
const INSIDE_WORD = 'quillfeather';
const FILE_NAME = 'interview-protocol.pdf';
/** 300 KB: big enough for the progress bar to report more than once, small enough to post without JavaScript too. */
const PDF = minimalPdf(`First interview protocol. Keyword ${INSIDE_WORD} appears only in this file.`, 300_000);
const PDF_V2 = minimalPdf(`First interview protocol, second edition. Keyword ${INSIDE_WORD} again.`, 2_000);
const TAG = 'victim interview';

const LINK_TITLE = 'Shelter intake form template';
const LINK_URL = 'https://example.org/shelter-intake-form';
const NO_JS_TITLE = 'Labor trafficking screening checklist';
const NO_JS_FILE = 'screening-checklist.pdf';

const WIDTH = 320;

async function expectAbsent(page: Page, words: string[]): Promise<void> {
  const html = await page.content();
  for (const word of words) expect(html, `"${word}" on ${page.url()}`).not.toContain(word);
}

function resourceIdOf(page: Page): number {
  const match = /\/resources\/(\d+)/.exec(new URL(page.url()).pathname);
  if (!match) throw new Error(`not a resource page: ${page.url()}`);
  return Number(match[1]);
}

describe('the resource library in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: SeededMember;
  let a: SeededMember;
  let b: SeededMember;
  let outsider: SeededMember;

  beforeAll(async () => {
    server = await startServer();
    const seed = seeder(server);
    const houston = seed.taskForce(HOUSTON);
    const bayou = seed.taskForce(BAYOU, ['LA']);
    admin = await seed.member({ role: 'admin', name: 'Jordan Reyes (fictional)' });
    a = await seed.member({ name: 'Alex Moreno', taskForceId: houston.id, discipline: 'victim_services' });
    b = await seed.member({ name: 'Blair Okafor', taskForceId: houston.id });
    outsider = await seed.member({ name: 'Quinn Broussard', taskForceId: bayou.id });
    seed.close();
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('without JavaScript, a member shares a file and a link with the plain form', async () => {
    const origin = server.origin;
    const tab = await signedInTab(browser, origin, a, { javaScriptEnabled: false });
    const { page } = tab;

    await page.goto(`${origin}/resources/new`);
    await page.getByRole('heading', { level: 1, name: 'Share a resource' }).waitFor();
    await page.getByLabel('Title', { exact: true }).fill(NO_JS_TITLE);
    await page.getByLabel('Description', { exact: true }).fill('Questions our investigators ask at a labor site visit.');
    await page.getByLabel('Type', { exact: true }).selectOption({ label: 'Toolkit' });
    await page.getByLabel('Tags (separated by commas)').fill('labor trafficking, screening');
    await page.getByRole('group', { name: 'Who can see it' }).getByRole('radio', { name: 'All members' }).check();
    await page.getByRole('radio', { name: 'File', exact: true }).check();
    await page
      .getByLabel('File', { exact: true })
      .and(page.locator('input[type="file"]'))
      .setInputFiles({ name: NO_JS_FILE, mimeType: 'application/pdf', buffer: minimalPdf('Screening checklist.') });
    await auditWithoutJs(browser, page, 'the share form');
    await page.getByRole('button', { name: 'Share resource' }).click();
    await page.waitForURL((url) => /^\/resources\/\d+$/.test(url.pathname), { timeout: 15_000 });
    await page.getByRole('heading', { level: 1, name: NO_JS_TITLE }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Your resource is shared.' }).waitFor();
    await page.getByRole('link', { name: `Download ${NO_JS_FILE}` }).waitFor();
    await auditWithoutJs(browser, page, 'a shared resource');

    // A link, still without JavaScript: the same form, the other choice.
    await page.goto(`${origin}/resources/new`);
    await page.getByLabel('Title', { exact: true }).fill(LINK_TITLE);
    // A phone number in the description: the privacy guard asks first, as it does for posts.
    await page
      .getByLabel('Description', { exact: true })
      .fill('A one-page intake form shelters can adapt. Questions: 713-555-0142.');
    await page.getByLabel('Type', { exact: true }).selectOption({ label: 'Template or form' });
    await page.getByLabel('Tags (separated by commas)').fill('shelter');
    await page.getByRole('radio', { name: 'Link', exact: true }).check();
    await page.getByLabel('Link address').fill(LINK_URL);
    await page.getByRole('button', { name: 'Share resource' }).click();
    await page.getByRole('alert').filter({ hasText: 'Check before sharing: this may identify a victim.' }).waitFor();
    await auditWithoutJs(browser, page, 'the share form asking about privacy');
    expect(await page.getByLabel('Link address').inputValue()).toBe(LINK_URL);
    await page.getByLabel('I confirm this contains no victim-identifying information').check();
    await page.getByRole('button', { name: 'Share resource' }).click();
    await page.waitForURL((url) => /^\/resources\/\d+$/.test(url.pathname), { timeout: 15_000 });
    await page.getByRole('heading', { level: 1, name: LINK_TITLE }).waitFor();
    expect(await page.getByRole('link', { name: 'Open the link' }).getAttribute('href')).toBe(LINK_URL);

    // A refused form comes back with the member's words and the reason beside the field.
    await page.goto(`${origin}/resources/new`);
    await page.getByLabel('Title', { exact: true }).fill('Bad link');
    await page.getByLabel('Type', { exact: true }).selectOption({ label: 'Other' });
    await page.getByRole('radio', { name: 'Link', exact: true }).check();
    await page.getByLabel('Link address').fill('javascript:alert(1)');
    await page.getByRole('button', { name: 'Share resource' }).click();
    await page.getByRole('alert').first().waitFor();
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('Bad link');
    expect(await page.getByLabel('Link address').getAttribute('aria-invalid')).toBe('true');
    await auditWithoutJs(browser, page, 'the share form with an error');
    await tab.context.close();
  });

  it('A shares a private PDF with a progress bar; B finds, downloads, recommends and comments; an outsider cannot find it; A adds a version', async () => {
    const origin = server.origin;

    // A shares the PDF, private to the Houston task force.
    const tabA = await signedInTab(browser, origin, a);
    const pa = tabA.page;
    await recordUploadProgress(pa);
    await visit(tabA, `${origin}/resources`);
    await pa.getByRole('heading', { level: 1, name: 'Resources' }).waitFor();
    await checkPage(tabA, 'the resources page');
    await pa.getByRole('link', { name: 'Share a resource' }).click();
    await waitForPath(pa, '/resources/new');
    await pa.getByRole('heading', { level: 1, name: 'Share a resource' }).waitFor();
    await checkPage(tabA, 'the share form');
    await pa.getByLabel('Title', { exact: true }).fill(TITLE);
    await pa.getByLabel('Description', { exact: true }).fill(DESCRIPTION);
    await pa.getByLabel('Type', { exact: true }).selectOption({ label: 'Protocol' });
    await pa.getByLabel('Tags (separated by commas)').fill(`${TAG}, forensic interview`);
    const audience = pa.getByRole('group', { name: 'Who can see it' });
    await audience.getByRole('radio', { name: 'Only some task forces or disciplines' }).check();
    await audience.getByRole('group', { name: 'Task forces' }).getByRole('checkbox', { name: HOUSTON }).check();
    await pa.getByLabel('Task force of origin').selectOption({ label: HOUSTON });
    await pa.getByRole('radio', { name: 'File', exact: true }).check();
    // With JavaScript only the chosen kind's field is shown.
    expect(await pa.getByLabel('Link address').count()).toBe(0);
    const fileInput = pa.getByLabel('File', { exact: true }).and(pa.locator('input[type="file"]'));
    // An HTML page named .pdf is refused by what it is, and the form keeps everything typed.
    await fileInput.setInputFiles({
      name: FILE_NAME,
      mimeType: 'application/pdf',
      buffer: Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>')
    });
    await pa.getByRole('button', { name: 'Share resource' }).click();
    await pa.getByRole('alert').filter({ hasText: 'HTML' }).waitFor();
    expect(await pa.getByLabel('Title', { exact: true }).inputValue()).toBe(TITLE);
    // The browser logs the refused upload's 415 as a console error: expected here, and only that.
    expect(tabA.problems.splice(0).every((p) => p.includes('status of 415'))).toBe(true);
    await checkPage(tabA, 'the share form with a refused file');
    await fileInput.setInputFiles({ name: FILE_NAME, mimeType: 'application/pdf', buffer: PDF });
    await checkPage(tabA, 'the share form, filled in');
    await pa.getByRole('button', { name: 'Share resource' }).click();
    await pa.waitForURL((url) => /^\/resources\/\d+$/.test(url.pathname), { timeout: 30_000 });
    const id = resourceIdOf(pa);
    await pa.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await pa.getByRole('status').filter({ hasText: 'Your resource is shared.' }).waitFor();
    const progress = await uploadLog(pa);
    expect(
      progress.some((entry) => entry.startsWith('Uploading…')),
      progress.join('\n')
    ).toBe(true);
    expect(progress.at(-1), progress.join('\n')).toBe('Upload complete.|100');
    await checkPage(tabA, 'the shared resource, seen by its author');

    // B, of the same task force, finds it by filters, by a word of its description, and by a word inside the PDF.
    const tabB = await signedInTab(browser, origin, b);
    const pb = tabB.page;
    await visit(tabB, `${origin}/resources`);
    await pb.getByLabel('Type', { exact: true }).selectOption({ label: 'Protocol' });
    await pb.getByLabel('Tag', { exact: true }).fill(TAG);
    await pb.getByRole('button', { name: 'Apply filters' }).click();
    await pb.waitForURL((url) => url.searchParams.get('tag') === TAG);
    const found = pb.getByRole('region', { name: 'Resources found' });
    await found.getByRole('link', { name: TITLE }).waitFor();
    expect(await found.getByRole('link', { name: LINK_TITLE }).count()).toBe(0);
    await checkPage(tabB, 'resources filtered by type and tag');

    await visit(tabB, `${origin}/resources`);
    await pb.getByLabel('Search resources').fill(DESCRIPTION_WORD);
    await pb.getByRole('button', { name: 'Apply filters' }).click();
    await pb.waitForURL((url) => url.searchParams.get('q') === DESCRIPTION_WORD);
    await found.getByRole('link', { name: TITLE }).waitFor();
    await checkPage(tabB, 'resources found by a word of the description');

    await expect
      .poll(async () => (await tabB.api.get<{ extraction: string }>(`/resources/${id}`)).data.extraction, {
        timeout: 60_000,
        interval: 500
      })
      .toBe('done');
    await visit(tabB, `${origin}/resources?q=${INSIDE_WORD}`);
    await found.getByRole('link', { name: TITLE }).waitFor();
    await checkPage(tabB, 'resources found by a word inside the file');

    // The global search shows it beside the discussions.
    await visit(tabB, `${origin}/search?q=${DESCRIPTION_WORD}`);
    await pb.getByRole('region', { name: 'Resources' }).getByRole('link', { name: TITLE }).waitFor();
    await checkPage(tabB, 'search with a resource among the results');

    // B opens it and downloads the file: the bytes are the ones A shared, sent as an attachment.
    await pb.getByRole('region', { name: 'Resources' }).getByRole('link', { name: TITLE }).click();
    await waitForPath(pb, `/resources/${id}`);
    await pb.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await checkPage(tabB, 'the resource page, seen by a member of the task force');
    const download = pb.getByRole('link', { name: `Download ${FILE_NAME}` });
    const href = await download.getAttribute('href');
    const [saved] = await Promise.all([pb.waitForEvent('download'), download.click()]);
    expect(saved.suggestedFilename()).toBe(FILE_NAME);
    expect(Buffer.compare(await readFile((await saved.path())!), PDF)).toBe(0);
    const reply = await tabB.context.request.get(`${origin}${href}`);
    expect(reply.status()).toBe(200);
    const headers = reply.headers();
    expect(headers['content-disposition']).toMatch(/^attachment;/);
    expect(headers['content-disposition']).toContain(FILE_NAME);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['content-security-policy']).toContain('sandbox');
    expect(Buffer.compare(await reply.body(), PDF)).toBe(0);

    // B recommends it (a toggle button) and comments.
    const recommend = pb.getByRole('button', { name: 'Recommend', exact: true });
    expect(await recommend.getAttribute('aria-pressed')).toBe('false');
    await pressAndWait(pb, recommend);
    await expect.poll(() => recommend.getAttribute('aria-pressed')).toBe('true');
    await pb.getByText('1 recommendation', { exact: true }).waitFor();
    await checkPage(tabB, 'the resource page, recommended');
    const comments = pb.getByRole('region', { name: 'Comments' });
    await comments.getByText('No comments yet.').waitFor();
    await comments.getByLabel('Message (Markdown)').fill('We adapted the break schedule from this for our advocates. Thank you.');
    await comments.getByRole('button', { name: 'Add comment' }).click();
    await comments.getByText('We adapted the break schedule').waitFor();
    await checkPage(tabB, 'the resource page with a comment');

    // Sorted by recommendations, B's recommended resource comes first.
    await visit(tabB, `${origin}/resources`);
    await pb.getByLabel('Sort by').selectOption({ label: 'Most recommended' });
    await pb.getByRole('button', { name: 'Apply filters' }).click();
    await pb.waitForURL((url) => url.searchParams.get('sort') === 'recommended');
    const firstCard = pb.getByRole('region', { name: 'All resources' }).getByRole('listitem').first();
    await firstCard.getByRole('link', { name: TITLE }).waitFor();
    await checkPage(tabB, 'resources sorted by recommendations');

    // The outsider: not in the list, not by address, not in search, not by the download address.
    const out: MemberTab = await signedInTab(browser, origin, outsider);
    const op = out.page;
    await visit(out, `${origin}/resources`);
    await op.getByRole('region', { name: 'All resources' }).getByRole('link', { name: LINK_TITLE }).waitFor();
    await expectAbsent(op, [TITLE, TAG]);
    await checkPage(out, 'the resources page, seen by an outsider');
    await visit(out, `${origin}/resources?q=${INSIDE_WORD}`);
    await op.getByRole('region', { name: 'Resources found' }).getByText('No resource matches').waitFor();
    await expectAbsent(op, [TITLE]);
    for (const path of [`/resources/${id}`, `/resources/${id}/edit`]) {
      const response = await op.goto(`${origin}${path}`, { waitUntil: 'networkidle' });
      expect(response?.status(), path).toBe(404);
      await op.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
      await expectAbsent(op, [TITLE, DESCRIPTION_WORD]);
      // The browser reports the 404 document itself as a console error: expected here, and only that.
      expect(out.problems.splice(0).every((p) => p.includes('status of 404'))).toBe(true);
      await checkPage(out, `not found: ${path}`);
    }
    await visit(out, `${origin}/search?q=${DESCRIPTION_WORD}`);
    await op.getByRole('region', { name: 'Resources' }).getByText(`No shared resource matches`).waitFor();
    await expectAbsent(op, [TITLE]);
    await checkPage(out, 'search, seen by an outsider');
    expect((await out.context.request.get(`${origin}${href}`)).status()).toBe(404);
    expect((await out.api.get(`/resources/${id}`)).status).toBe(404);
    const outsiderTags = await out.api.get<{ tags: { name: string }[] }>('/resources/tags', { q: 'victim' });
    expect(outsiderTags.data.tags.map((t) => t.name)).not.toContain(TAG);
    await out.context.close();

    // A uploads a second version; the history shows both, and only the author may fetch the old one.
    await visit(tabA, `${origin}/resources/${id}`);
    const versions = pa.getByRole('region', { name: 'Versions' });
    await versions
      .getByLabel('New version file')
      .setInputFiles({ name: 'interview-protocol-2nd-edition.pdf', mimeType: 'application/pdf', buffer: PDF_V2 });
    await versions.getByRole('button', { name: 'Upload new version' }).click();
    await versions.getByRole('status').filter({ hasText: 'Version 2 uploaded.' }).waitFor();
    await versions.getByText('Version 2 (current)').waitFor();
    await versions.getByText('Version 1', { exact: true }).waitFor();
    await versions.getByRole('link', { name: 'Download version 1' }).waitFor();
    await pa.getByRole('link', { name: 'Download interview-protocol-2nd-edition.pdf' }).waitFor();
    await checkPage(tabA, 'the resource page with two versions');
    await tabA.context.close();

    await visit(tabB, `${origin}/resources/${id}`);
    await pb.getByRole('region', { name: 'Versions' }).getByText('Version 2 (current)').waitFor();
    expect(await pb.getByRole('link', { name: 'Download version 1' }).count()).toBe(0);

    // At 320 px wide nothing needs a horizontal scroll bar.
    await pb.setViewportSize({ width: WIDTH, height: 640 });
    for (const path of [`/resources/${id}`, '/resources', '/resources/new', `/search?q=${DESCRIPTION_WORD}`]) {
      await visit(tabB, `${origin}${path}`);
      expect(await scrollWidth(pb), path).toBeLessThanOrEqual(WIDTH);
      await checkPage(tabB, `${path} at 320 px`);
    }
    await tabB.context.close();
  });

  it('an administrator merges one tag into another', async () => {
    const origin = server.origin;
    const tab = await signedInTab(browser, origin, admin);
    const { page } = tab;
    await visit(tab, `${origin}/admin`);
    await page.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Resource tags' }).click();
    await waitForPath(page, '/admin/tags');
    await page.getByRole('heading', { level: 1, name: 'Resource tags' }).waitFor();
    await page.getByRole('cell', { name: 'forensic interview' }).waitFor();
    await checkPage(tab, 'the resource tags page');
    await page.getByLabel('Merge this tag').fill('forensic interview');
    await page.getByLabel('Into this tag').fill(TAG);
    await pressAndWait(page, page.getByRole('button', { name: 'Merge tags' }));
    await page
      .getByRole('status')
      .filter({ hasText: `Merged “forensic interview” into “${TAG}”: 1 resource retagged.` })
      .waitFor();
    expect(await page.getByRole('cell', { name: 'forensic interview' }).count()).toBe(0);
    await checkPage(tab, 'the resource tags page after a merge');
    await tab.context.close();
  });
});
