import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { checkPage, launch, visit } from './support/browser.ts';
import { apiSession, createCategory, replyTo, signedInTab, startThread } from './support/discussions.ts';
import { seeder, type SeededMember } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';

const DAY = 86_400_000;

describe('the staff dashboard', () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: SeededMember;
  let coordinator: SeededMember;
  let poster: SeededMember;

  beforeAll(async () => {
    // No scheduled backup during the test: the system part then says, every time, that none was taken.
    server = await startServer({ BACKUP_INTERVAL_HOURS: '0', POST_INTERVAL_SECONDS: '0' });
    const seed = seeder(server);
    const tf = seed.taskForce('Riverside Anti-Trafficking Task Force (fictional)');
    // Its grant ends in 20 days: its members' access ends within the dashboard's 30-day window.
    seed.db.$client.prepare('UPDATE task_forces SET grant_ends_at = ? WHERE id = ?').run(Date.now() + 20 * DAY, tf.id);
    admin = await seed.member({ role: 'admin', name: 'Avery Admin' });
    coordinator = await seed.member({ role: 'coordinator', name: 'Casey Coordinator', taskForceId: tf.id });
    poster = await seed.member({ role: 'member', name: 'Pat Poster', taskForceId: tf.id });
    const now = Date.now();
    seed.db.$client
      .prepare(
        `INSERT INTO membership_requests (email, full_name, agency, job_title, discipline, task_force_id, supervisor_name,
          supervisor_contact, reason, status, status_token_hash, status_token_sealed, confirmed_at, created_at, updated_at)
         VALUES ('jordan.applicant@sheriff.example.gov', 'Jordan Applicant', 'Example Sheriff (fictional)', 'Detective',
          'law_enforcement', ?, 'Sgt. Lee Park', 'lee.park@sheriff.example.gov', 'Labor trafficking cases.', 'submitted',
          'dashboard-e2e-hash', 'sealed', ?, ?, ?)`
      )
      .run(tf.id, now, now, now);
    seed.close();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an admin sees the figures, the charts with their table alternatives, and the system part', async () => {
    const tab = await signedInTab(browser, server.origin, admin);
    const { page } = tab;
    const category = await createCategory(tab.api, { name: 'Victim services practice' });
    const { api, close } = await apiSession(server.origin, poster);
    const { threadId } = await startThread(api, category, 'Trauma-informed interview rooms', 'What works in your county?');
    await replyTo(api, threadId, 'We use a soft-furnished room away from the booking area.');
    await replyTo(api, threadId, 'A victim advocate is present from the start.');
    await close();

    await visit(tab, `${server.origin}/admin`);
    await page.getByRole('heading', { level: 1, name: 'Staff overview' }).waitFor();
    const figure = (term: string) =>
      page
        .locator('dl.figures > div', { has: page.getByText(term, { exact: true }) })
        .locator('dd')
        .first();
    expect(await figure('Membership requests waiting').innerText()).toBe('1');
    expect(await figure('Access ending in the next 30 days').innerText()).toBe('2');
    expect(await figure('New posts in the last 7 days').innerText()).toBe('3');
    expect(await figure('New threads in the last 7 days').innerText()).toBe('1');
    await page.getByRole('cell', { name: 'Riverside Anti-Trafficking Task Force (fictional)' }).first().waitFor();

    // The charts: an image named by its title and summed up in words, and the numbers as a table.
    const chart = page.getByRole('img', { name: /Activity over the last 12 weeks/ });
    await chart.waitFor();
    expect(await chart.getAttribute('aria-labelledby')).toBe('activity-chart-title activity-chart-desc');
    expect(await page.locator('#activity-chart-desc').textContent()).toContain('Posts: 3 in the latest week');
    const table = page.getByRole('table', { name: /Activity over the last 12 weeks, by week/ });
    expect(await table.getByRole('row').count()).toBe(13);
    const latest = table.getByRole('row').last();
    expect((await latest.getByRole('cell').allInnerTexts()).map((s) => s.trim()).slice(0, 2)).toEqual(['3', '1']);
    await page.getByRole('table', { name: /Members over the last 12 weeks, by week/ }).waitFor();

    await page.getByRole('heading', { level: 2, name: 'System' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'No backup has been taken yet.' }).waitFor();
    expect(await figure('Database').innerText()).toMatch(/\d (KB|MB)$/);
    await checkPage(tab, 'admin dashboard');

    await page.setViewportSize({ width: 320, height: 640 });
    await visit(tab, `${server.origin}/admin`);
    const width = await page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
    expect(width).toBeLessThanOrEqual(320);
    await checkPage(tab, 'admin dashboard at 320');
    await tab.context.close();
  });

  it('a coordinator sees their own task force’s membership figures and nothing else', async () => {
    const tab = await signedInTab(browser, server.origin, coordinator);
    const { page } = tab;
    await visit(tab, `${server.origin}/admin`);
    await page.getByRole('heading', { level: 1, name: 'Staff overview' }).waitFor();
    await page.getByText('Figures for your task force, Riverside Anti-Trafficking Task Force (fictional).').waitFor();
    await page.getByRole('img', { name: /Members over the last 12 weeks/ }).waitFor();
    expect(await page.getByRole('heading', { level: 2 }).allInnerTexts()).toEqual(['Membership']);
    await checkPage(tab, 'coordinator dashboard');
    await tab.context.close();
  });
});
