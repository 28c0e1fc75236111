import type { Page } from 'playwright-core';
import { checkPage, pressAndWait, visit, type Tab } from './browser.ts';
import type { mailbox } from './mail.ts';

export interface Applicant {
  fullName: string;
  email: string;
  agency: string;
  jobTitle: string;
  /** The radio's visible label, e.g. "Victim services". */
  discipline: string;
  /** The task force's name as listed, or "My task force is not listed". */
  taskForce: string;
  supervisorName: string;
  supervisorContact: string;
  reason: string;
}

/** A fictional applicant; every name and address here is invented. */
export function applicant(overrides: Partial<Applicant> = {}): Applicant {
  return {
    fullName: 'Dana Whitfield',
    email: 'dana.whitfield@gulfcoast-pd.example.gov',
    agency: 'Gulf Coast Police Department (fictional)',
    jobTitle: 'Detective',
    discipline: 'Law enforcement',
    taskForce: 'My task force is not listed',
    supervisorName: 'Sgt. Morgan Ellis',
    supervisorContact: 'morgan.ellis@gulfcoast-pd.example.gov',
    reason: 'I investigate labor trafficking cases and want to share practice with the other task forces.',
    ...overrides
  };
}

export function pathOf(page: Page): string {
  return new URL(page.url()).pathname;
}

/** Waits until the page's path is `path` (client-side navigations included). */
export async function waitForPath(page: Page, path: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === path, { timeout: 15_000 });
}

/** Fills /request-access the way an applicant would (by label) and sends it. */
export async function requestAccess(tab: Tab, origin: string, who: Applicant): Promise<void> {
  const { page } = tab;
  await visit(tab, `${origin}/request-access`);
  await page.getByRole('heading', { level: 1, name: 'Request access' }).waitFor();
  await checkPage(tab, 'the request-access page');
  await page.getByLabel('Full name', { exact: true }).fill(who.fullName);
  await page.getByLabel('Work e-mail', { exact: true }).fill(who.email);
  await page.getByLabel('Agency or organization', { exact: true }).fill(who.agency);
  await page.getByLabel('Job title', { exact: true }).fill(who.jobTitle);
  await page.getByRole('group', { name: 'Discipline' }).getByRole('radio', { name: who.discipline, exact: true }).check();
  await page.getByLabel('Task force', { exact: true }).selectOption({ label: who.taskForce });
  await page.getByLabel("Supervisor's name", { exact: true }).fill(who.supervisorName);
  await page.getByLabel("Supervisor's e-mail or phone", { exact: true }).fill(who.supervisorContact);
  await page.getByLabel('Why do you want to join?', { exact: true }).fill(who.reason);
  await pressAndWait(page, page.getByRole('button', { name: 'Send request' }));
  await page.getByRole('status').filter({ hasText: 'Check your e-mail' }).waitFor();
  await checkPage(tab, 'the request-access page after sending');
}

/** Opens the confirmation link from the outbox and confirms; ends on the status page. */
export async function confirmRequest(tab: Tab, mail: ReturnType<typeof mailbox>, email: string): Promise<string> {
  const { page } = tab;
  const link = await mail.waitForLink(email, '/request-access/confirm');
  await visit(tab, link);
  await page.getByRole('heading', { level: 1, name: 'Confirm your e-mail address' }).waitFor();
  await checkPage(tab, 'the confirm page');
  await page.getByRole('button', { name: 'Confirm my e-mail address' }).click();
  await waitForPath(page, '/request-status');
  await page.getByRole('heading', { level: 1, name: 'Your membership request' }).waitFor();
  await page.getByText('Status: Submitted', { exact: true }).waitFor();
  await checkPage(tab, 'the request-status page');
  return page.url();
}

/** Signs in on /sign-in, with the second step when `code` is given; ends on the home page. */
export async function signIn(tab: Tab, origin: string, email: string, password: string, code?: () => string): Promise<void> {
  const { page } = tab;
  await visit(tab, `${origin}/sign-in`);
  await checkPage(tab, 'the sign-in page');
  await page.getByLabel('Work e-mail', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await pressAndWait(page, page.getByRole('button', { name: 'Sign in', exact: true }));
  if (code) {
    await page.getByLabel('Verification code', { exact: true }).waitFor();
    await checkPage(tab, 'the sign-in verification step');
    await page.getByLabel('Verification code', { exact: true }).fill(code());
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
  }
  await waitForPath(page, '/');
  await page.getByRole('heading', { level: 1, name: /^Welcome, / }).waitFor();
  await checkPage(tab, 'the home page');
}

/** The header's "Sign out" button; ends on the sign-in page. */
export async function signOut(tab: Tab): Promise<void> {
  const { page } = tab;
  await page.getByRole('button', { name: 'Sign out' }).click();
  await waitForPath(page, '/sign-in');
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await checkPage(tab, 'the sign-in page after signing out');
}
