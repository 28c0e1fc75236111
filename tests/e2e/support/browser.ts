import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/**
 * Debian's Chromium. launch() already gives every browser a fresh temporary profile (and refuses a
 * --user-data-dir argument), so no profile directory is passed.
 */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ]
  });
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught page errors and CSP violations seen so far. */
  problems: string[];
}

/** A fresh context (its own cookies) with one page that records every console error and CSP violation. */
export async function openTab(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}): Promise<Tab> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error at ${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error at ${page.url()}: ${error.message}`));
  // CSP reports reach the console too, but the event also catches those the console may not repeat.
  await page.exposeBinding('__tfcCspViolation', (_source, text: string) =>
    problems.push(`CSP violation at ${page.url()}: ${text}`)
  );
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __tfcCspViolation(text: string): void }).__tfcCspViolation;
      report(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  return { context, page, problems };
}

/** axe-core against WCAG 2.0/2.1 A and AA; throws with every violation listed. */
export async function checkA11y(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  if (results.violations.length === 0) return;
  const lines = results.violations.map((v) => {
    const nodes = v.nodes.map(
      (n) => `      ${n.target.join(' ')}${n.failureSummary ? `\n        ${n.failureSummary.replace(/\n/g, '\n        ')}` : ''}`
    );
    return `  [${v.impact ?? 'n/a'}] ${v.id}: ${v.help}\n${nodes.join('\n')}`;
  });
  throw new Error(`axe found ${results.violations.length} WCAG violation(s) on ${label} (${page.url()}):\n${lines.join('\n')}`);
}

export function assertNoProblems(tab: Tab, label: string): void {
  if (tab.problems.length === 0) return;
  const list = tab.problems.splice(0).join('\n  ');
  throw new Error(`console errors or CSP violations by ${label}:\n  ${list}`);
}

/** Page states already checked by axe in this test file (axe takes seconds; the same state twice adds nothing). */
const audited = new Set<string>();

/**
 * After every step that changes the page: axe (once per page state, named by `label`, per test
 * file), then no console errors or CSP violations so far (every time).
 */
export async function checkPage(tab: Tab, label: string): Promise<void> {
  await tab.page.waitForLoadState('load');
  const state = `${new URL(tab.page.url()).pathname} ${label}`;
  if (!audited.has(state)) {
    await checkA11y(tab.page, label);
    audited.add(state);
  }
  assertNoProblems(tab, label);
}

/** Navigates and waits until the page's scripts are loaded (so `use:enhance` forms are hydrated). */
export async function visit(tab: Tab, url: string): Promise<void> {
  await tab.page.goto(url, { waitUntil: 'networkidle' });
}

/**
 * Presses a button that submits a form and waits for the server's answer to that POST (with
 * `use:enhance` no page load follows, so waiting for a load would not wait at all).
 */
export async function pressAndWait(page: Page, button: Locator): Promise<void> {
  const answered = page.waitForResponse((r) => r.request().method() === 'POST', { timeout: 15_000 });
  await button.click();
  await answered;
}
