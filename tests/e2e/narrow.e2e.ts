import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { checkPage, launch, openTab, pressAndWait, visit } from './support/browser.ts';
import { seeder } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';

const WIDTH = 320;

async function scrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
}

describe('pages at 320 px wide (WCAG 1.4.10 reflow)', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    const seed = seeder(server);
    // A long real-world-style name, so the select has to fit one too.
    seed.taskForce('Gulf Coast Human Trafficking Task Force (fictional)');
    seed.close();
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the sign-in page has no horizontal scroll, with and without an error', async () => {
    const tab = await openTab(browser, { viewport: { width: WIDTH, height: 640 } });
    const { page } = tab;
    await visit(tab, `${server.origin}/sign-in`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(await scrollWidth(page)).toBeLessThanOrEqual(WIDTH);
    await checkPage(tab, 'the sign-in page at 320 px');

    await page.getByLabel('Work e-mail', { exact: true }).fill('nobody.with.a.rather.long.address@agency.example.gov');
    await page.getByLabel('Password', { exact: true }).fill('not the right password at all');
    await pressAndWait(page, page.getByRole('button', { name: 'Sign in', exact: true }));
    await page.getByRole('alert').waitFor();
    expect(await scrollWidth(page)).toBeLessThanOrEqual(WIDTH);
    await checkPage(tab, 'the sign-in page with an error at 320 px');
    await tab.context.close();
  });

  it('the request-access page has no horizontal scroll, with and without errors', async () => {
    const tab = await openTab(browser, { viewport: { width: WIDTH, height: 640 } });
    const { page } = tab;
    await visit(tab, `${server.origin}/request-access`);
    await page.getByRole('heading', { level: 1, name: 'Request access' }).waitFor();
    expect(await scrollWidth(page)).toBeLessThanOrEqual(WIDTH);
    await checkPage(tab, 'the request-access page at 320 px');

    // Too-short answers pass the browser's own checks but not the server's: the page shows its errors.
    await page.getByLabel('Full name', { exact: true }).fill('D');
    await page.getByLabel('Work e-mail', { exact: true }).fill('dana@example.gov');
    await page.getByLabel('Agency or organization', { exact: true }).fill('X');
    await page.getByLabel('Job title', { exact: true }).fill('Y');
    await page.getByRole('radio', { name: 'Other', exact: true }).check();
    await page.getByLabel("Supervisor's name", { exact: true }).fill('Z');
    await page.getByLabel("Supervisor's e-mail or phone", { exact: true }).fill('1');
    await page.getByLabel('Why do you want to join?', { exact: true }).fill('short');
    await pressAndWait(page, page.getByRole('button', { name: 'Send request' }));
    await page.getByRole('alert').first().waitFor();
    expect(await scrollWidth(page)).toBeLessThanOrEqual(WIDTH);
    await checkPage(tab, 'the request-access page with errors at 320 px');
    await tab.context.close();
  });
});
