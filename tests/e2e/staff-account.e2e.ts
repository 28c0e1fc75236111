import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { checkPage, launch, openTab, pressAndWait, visit } from './support/browser.ts';
import { applicant, confirmRequest, requestAccess, signIn, waitForPath } from './support/flows.ts';
import { mailbox } from './support/mail.ts';
import { seeder, type SeededMember } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';
import { totpCode } from '../../server/shared/totp.ts';

const width = (page: Page) => page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));

describe('staff and account pages', () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: SeededMember;
  let coordinator: SeededMember;
  let plain: SeededMember;

  beforeAll(async () => {
    server = await startServer();
    const seed = seeder(server);
    const tf = seed.taskForce('Gulf Coast Human Trafficking Task Force (fictional)');
    admin = await seed.member({ role: 'admin', name: 'Jordan Reyes' });
    coordinator = await seed.member({ role: 'coordinator', name: 'Casey Coord', taskForceId: tf.id });
    plain = await seed.member({ role: 'member', name: 'Pat Plain' });
    // A second plain member, so the members list has someone to act on besides the test's own accounts.
    await seed.member({ role: 'member', name: 'Terry Target' });
    seed.close();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('admin pages', async () => {
    const mail = mailbox(server);
    const who = applicant();
    const appTab = await openTab(browser);
    await requestAccess(appTab, server.origin, who);
    await confirmRequest(appTab, mail, who.email);
    await appTab.context.close();

    const tab = await openTab(browser);
    const { page } = tab;
    await signIn(tab, server.origin, admin.email, admin.password, () => admin.code());
    await visit(tab, `${server.origin}/admin`);
    await page.getByRole('heading', { level: 1, name: 'Staff overview' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Staff' });
    await nav.getByRole('link', { name: 'Membership requests', exact: true }).waitFor();
    expect(await nav.innerText()).toContain('Audit log');
    await checkPage(tab, 'overview');

    await nav.getByRole('link', { name: 'Membership requests', exact: true }).click();
    await waitForPath(page, '/admin/membership');
    await checkPage(tab, 'queue');
    await page.getByRole('link', { name: 'Decided' }).click();
    await page.getByText('No requests have been decided yet.').waitFor();
    await page.getByRole('link', { name: 'Open' }).click();
    await page.getByRole('link', { name: who.fullName, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `Request from ${who.fullName}` }).waitFor();
    await checkPage(tab, 'request');
    await pressAndWait(page, page.getByRole('button', { name: 'Mark in review' }));
    await page.getByRole('status').filter({ hasText: 'in review' }).waitFor();
    expect(await page.getByRole('button', { name: 'Mark in review' }).count()).toBe(0);
    await page.getByLabel('Your question (sent to the applicant)').fill('abc');
    await pressAndWait(page, page.getByRole('button', { name: 'Send question' }));
    await page.getByRole('alert').filter({ hasText: 'at least 5' }).waitFor();
    await checkPage(tab, 'request with error');
    await pressAndWait(page, page.getByRole('button', { name: 'Approve' }));
    await waitForPath(page, '/admin/membership');
    await page
      .getByRole('status')
      .filter({ hasText: `Approved ${who.fullName}. An activation link was e-mailed.` })
      .waitFor();
    await checkPage(tab, 'queue after approve');

    // Members
    await visit(tab, `${server.origin}/admin/members`);
    await page.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
    await checkPage(tab, 'members');
    await page.getByLabel('Search members').fill('Terry');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=Terry/);
    await page.getByText('Manage Terry Target').click();
    const box = page.locator('details', { has: page.getByText('Manage Terry Target') });
    await box.getByLabel('Role').selectOption({ label: 'Coordinator' });
    await pressAndWait(page, box.getByRole('button', { name: 'Save role' }));
    await box.getByRole('alert').waitFor();
    await checkPage(tab, 'members with role error');
    await box.getByLabel('Task force').selectOption({ index: 1 });
    await pressAndWait(page, box.getByRole('button', { name: 'Save role' }));
    await box.getByRole('status').filter({ hasText: 'Saved the role of Terry Target' }).waitFor();
    expect(await page.getByRole('row', { name: /Terry Target/ }).innerText()).toContain('Coordinator');
    await box.getByLabel('Reason for suspension').fill('Left the agency');
    await pressAndWait(page, box.getByRole('button', { name: 'Suspend' }));
    await box.getByRole('status').filter({ hasText: 'Suspended Terry Target' }).waitFor();
    await pressAndWait(page, box.getByRole('button', { name: 'Reinstate' }));
    await box.getByRole('status').filter({ hasText: 'Reinstated' }).waitFor();
    await box.getByLabel('Access until').fill('2099-01-31');
    await pressAndWait(page, box.getByRole('button', { name: 'Extend access' }));
    await box.getByRole('status').filter({ hasText: '2099-01-31' }).waitFor();
    await checkPage(tab, 'members after actions');

    // Task forces
    await visit(tab, `${server.origin}/admin/task-forces`);
    await checkPage(tab, 'task forces');
    const add = page.getByRole('form', { name: 'Add a task force' });
    await add.getByLabel('Name').fill('Riverbend Task Force');
    await add.getByLabel('States (two-letter codes, separated by commas)').fill('oh, ky');
    await add.getByLabel('Lead agency').fill('Riverbend Sheriff');
    await add.getByLabel('Grant end date').fill('2030-06-30');
    await pressAndWait(page, add.getByRole('button', { name: 'Add task force' }));
    await page.getByRole('status').filter({ hasText: 'Added the task force Riverbend Task Force' }).waitFor();
    expect(await add.getByLabel('Name').inputValue()).toBe('');
    await page.getByText('Edit Riverbend Task Force').click();
    const edit = page.locator('details', { has: page.getByText('Edit Riverbend Task Force') });
    expect(await edit.getByLabel('States (two-letter codes, separated by commas)').inputValue()).toBe('OH, KY');
    await edit.getByLabel('States (two-letter codes, separated by commas)').fill('OH, ZZ');
    await pressAndWait(page, edit.getByRole('button', { name: 'Save changes' }));
    await edit.getByRole('alert').filter({ hasText: 'ZZ' }).waitFor();
    await checkPage(tab, 'task forces with error');
    await edit.getByLabel('States (two-letter codes, separated by commas)').fill('OH, IN');
    await pressAndWait(page, edit.getByRole('button', { name: 'Save changes' }));
    await edit.getByRole('status').waitFor();
    expect(await page.getByRole('row', { name: /Riverbend/ }).innerText()).toContain('OH, IN');

    // Audit
    await visit(tab, `${server.origin}/admin/audit`);
    await checkPage(tab, 'audit');
    await page.getByLabel('Action').fill('member');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/action=member/);
    await page.getByRole('cell', { name: 'member.suspended' }).waitFor();
    expect(await page.getByRole('cell', { name: 'membership.approved' }).count()).toBe(0);
    page.on('response', async (r) => {
      if (r.url().includes('export'))
        console.log('EXPORT', r.status(), JSON.stringify(r.headers()), (await r.text().catch(() => '')).slice(0, 300));
    });
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    const csv = await (await import('node:fs/promises')).readFile((await file.path())!, 'utf8');
    expect(csv.split('\n')[0]).toContain('actor_email');
    expect(csv).toContain('member.suspended');
    expect(csv).not.toContain('membership.approved');
    await page.getByLabel('Action').fill('Bad Action');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('alert').waitFor();
    await checkPage(tab, 'audit with bad filter');

    // Settings
    await visit(tab, `${server.origin}/admin/settings`);
    await checkPage(tab, 'settings');
    await page.getByLabel('Known agency e-mail domains (one per line)').fill('hpd.houstontx.gov\nnot a domain');
    await pressAndWait(page, page.getByRole('button', { name: 'Save settings' }));
    await page.getByRole('alert').waitFor();
    await checkPage(tab, 'settings with error');
    await page.getByLabel('Known agency e-mail domains (one per line)').fill('hpd.houstontx.gov\n@DPS.Texas.gov');
    await pressAndWait(page, page.getByRole('button', { name: 'Save settings' }));
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
    expect(await page.getByLabel('Known agency e-mail domains (one per line)').inputValue()).toBe(
      'hpd.houstontx.gov\ndps.texas.gov'
    );

    // 320 px
    await page.setViewportSize({ width: 320, height: 640 });
    for (const p of [
      '/admin',
      '/admin/membership',
      '/admin/members',
      '/admin/task-forces',
      '/admin/audit',
      '/admin/settings',
      '/account/security'
    ]) {
      await visit(tab, `${server.origin}${p}`);
      console.log(
        'WIDE',
        p,
        JSON.stringify(
          await page.evaluate(() =>
            [...document.querySelectorAll('body *')]
              .filter((e) => e.getBoundingClientRect().right > 321)
              .slice(0, 8)
              .map((e) => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))
          )
        )
      );
      expect(await width(page), p).toBeLessThanOrEqual(320);
      await checkPage(tab, `${p} at 320`);
    }
    await tab.context.close();
  });

  it('coordinator and member see only what they may', async () => {
    const tab = await openTab(browser);
    const { page } = tab;
    await signIn(tab, server.origin, coordinator.email, coordinator.password, () => coordinator.code());
    await visit(tab, `${server.origin}/admin`);
    const nav = page.getByRole('navigation', { name: 'Staff' });
    expect(await nav.getByRole('link').count()).toBe(1);
    const res = await page.goto(`${server.origin}/admin/members`);
    expect(res?.status()).toBe(403);
    await tab.context.close();

    const t2 = await openTab(browser);
    await signIn(t2, server.origin, plain.email, plain.password);
    const r2 = await t2.page.goto(`${server.origin}/admin`);
    expect(r2?.status()).toBe(403);
    await t2.context.close();
  });

  it('account security', async () => {
    const other = await openTab(browser);
    await signIn(other, server.origin, plain.email, plain.password);
    const tab = await openTab(browser);
    const { page } = tab;
    await signIn(tab, server.origin, plain.email, plain.password);
    await visit(tab, `${server.origin}/account/security`);
    await page.getByRole('heading', { level: 1, name: 'Account security' }).waitFor();
    await checkPage(tab, 'security');
    const before = await page.getByRole('button', { name: 'Sign out this session' }).count();
    expect(before).toBeGreaterThanOrEqual(2);
    await page.getByRole('cell', { name: /This browser/ }).waitFor();

    // mismatch
    await page.getByLabel('Current password').fill(plain.password);
    await page.getByLabel('New password', { exact: true }).fill('a brand new long passphrase 77');
    await page.getByLabel('Confirm new password').fill('something else entirely here');
    await pressAndWait(page, page.getByRole('button', { name: 'Change password' }));
    await page.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
    await checkPage(tab, 'security mismatch');

    // MFA on with a wrong code first
    await pressAndWait(page, page.getByRole('button', { name: 'Turn on two-step verification' }));
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const manual = await page.locator('#manual-key').innerText();
    await checkPage(tab, 'enrolment');
    await page.getByLabel('6-digit code from your app').fill('000000');
    await pressAndWait(page, page.getByRole('button', { name: 'Verify code' }));
    await page.getByRole('alert').waitFor();
    expect(await page.locator('#manual-key').innerText()).toBe(manual);
    const key = decodeBase32IgnorePadding(manual.replace(/\s+/g, ''));
    await page.getByLabel('6-digit code from your app').fill(totpCode(key, Date.now()));
    await pressAndWait(page, page.getByRole('button', { name: 'Verify code' }));
    await page.getByRole('heading', { level: 2, name: 'Your recovery codes' }).waitFor();
    expect(await page.locator('.codes li').count()).toBe(10);
    await checkPage(tab, 'codes');
    await page.getByRole('link', { name: /I have saved/ }).click();
    await page.waitForTimeout(1500);
    console.log('AFTERSAVED', page.url(), (await page.locator('main').innerText()).slice(0, 1500));
    await page.locator('p', { hasText: 'You have 10 unused recovery codes' }).waitFor();
    await page.getByLabel('Password to confirm new recovery codes').fill('wrong password here');
    await pressAndWait(page, page.getByRole('button', { name: 'Get new recovery codes' }));
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Password to confirm new recovery codes').fill(plain.password);
    await pressAndWait(page, page.getByRole('button', { name: 'Get new recovery codes' }));
    await page.getByRole('heading', { level: 2, name: 'Your recovery codes' }).waitFor();
    await visit(tab, `${server.origin}/account/security`);
    await page.getByLabel('Password to confirm turning off').fill(plain.password);
    await pressAndWait(page, page.getByRole('button', { name: 'Turn off two-step verification' }));
    await page.getByRole('status').filter({ hasText: 'is off' }).waitFor();
    await page.getByRole('button', { name: 'Turn on two-step verification' }).waitFor();

    // revoke the other session
    const otherRow = page
      .getByRole('row')
      .filter({ hasNot: page.getByText('This browser') })
      .filter({ has: page.getByRole('button') });
    await pressAndWait(page, otherRow.first().getByRole('button', { name: 'Sign out this session' }));
    await page.getByRole('status').filter({ hasText: 'That session was signed out.' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out this session' }).count()).toBe(before - 1);

    // change password: stays signed in
    await page.getByLabel('Current password').fill(plain.password);
    await page.getByLabel('New password', { exact: true }).fill('a brand new long passphrase 77');
    await page.getByLabel('Confirm new password').fill('a brand new long passphrase 77');
    await pressAndWait(page, page.getByRole('button', { name: 'Change password' }));
    await page.getByRole('status').filter({ hasText: 'password was changed' }).waitFor();
    await visit(tab, `${server.origin}/account/security`);
    await page.getByRole('heading', { level: 1, name: 'Account security' }).waitFor();

    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await waitForPath(page, '/sign-in');
    await page.getByText('You are signed out.').waitFor();
    await visit(tab, `${server.origin}/account/security`);
    await waitForPath(page, '/sign-in');
    await tab.context.close();
    await other.context.close();
  });

  it('works without JavaScript', async () => {
    const tab = await openTab(browser, { javaScriptEnabled: false });
    const { page } = tab;
    await page.goto(`${server.origin}/sign-in`);
    await page.getByLabel('Work e-mail').fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForTimeout(1000);
    console.log('NOJS', page.url(), (await page.locator('main').innerText()).slice(0, 500));
    await page.getByLabel('Verification code').fill(admin.code());
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await waitForPath(page, '/');
    await page.goto(`${server.origin}/admin/members?q=Pat`);
    await page.getByText('Manage Pat Plain').click();
    const box = page.locator('details', { has: page.getByText('Manage Pat Plain') });
    await box.getByLabel('Reason for suspension').fill('Testing without JS');
    await box.getByRole('button', { name: 'Suspend' }).click();
    await page.getByRole('status').filter({ hasText: 'Suspended Pat Plain' }).waitFor();
    await page.goto(`${server.origin}/admin/settings`);
    await page.getByRole('checkbox', { name: 'Require two-step verification for every member' }).check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
    expect(await page.getByRole('checkbox', { name: 'Require two-step verification for every member' }).isChecked()).toBe(true);
    await tab.context.close();
  });
});
