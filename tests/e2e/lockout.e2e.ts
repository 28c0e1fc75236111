import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { checkPage, launch, openTab, pressAndWait, visit } from './support/browser.ts';
import { seeder, type SeededMember } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';

const REFUSED = 'Those details did not work.';

describe('account lockout in the browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let member: SeededMember;

  beforeAll(async () => {
    server = await startServer();
    const seed = seeder(server);
    member = await seed.member({ name: 'Riley Okafor (fictional)' });
    seed.close();
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('locks the account after five wrong passwords, then refuses the right one with the same message', async () => {
    const tab = await openTab(browser);
    const { page } = tab;
    await visit(tab, `${server.origin}/sign-in`);
    await checkPage(tab, 'the sign-in page');

    const attempt = async (password: string) => {
      await page.getByLabel('Work e-mail', { exact: true }).fill(member.email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await pressAndWait(page, page.getByRole('button', { name: 'Sign in', exact: true }));
      const alert = page.getByRole('alert');
      await alert.waitFor();
      return (await alert.innerText()).trim();
    };

    for (let i = 1; i <= 5; i++) {
      expect(await attempt(`wrong guess number ${i} here`)).toContain(REFUSED);
      expect(await page.getByLabel('Verification code', { exact: true }).count()).toBe(0);
      if (i === 1) await checkPage(tab, 'the sign-in page with the error');
    }
    const lockedUntil = () => {
      const db = new Database(path.join(server.dataDir, 'tfc.sqlite'), { readonly: true });
      try {
        return (db.prepare('SELECT locked_until FROM members WHERE id = ?').get(member.id) as { locked_until: number | null })
          .locked_until;
      } finally {
        db.close();
      }
    };
    expect(lockedUntil()).toBeGreaterThan(Date.now());

    const message = await attempt(member.password);
    expect(message).toContain(REFUSED);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await page.getByRole('heading', { level: 1, name: 'Sign in' }).isVisible()).toBe(true);
    await checkPage(tab, 'the sign-in page refusing a locked account');
    await tab.context.close();
  });
});
