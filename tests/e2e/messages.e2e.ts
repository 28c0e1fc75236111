import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { checkPage, launch, pressAndWait, visit } from './support/browser.ts';
import { signedInTab, type MemberTab } from './support/discussions.ts';
import {
  chooseOption,
  conversationIdOf,
  markDocument,
  messageItem,
  messagesNavLink,
  reloaded,
  saveProfile,
  socketFrames
} from './support/messages.ts';
import { auditWithoutJs, scrollWidth } from './support/resources.ts';
import { seeder, type SeededMember } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';

const GULF = 'Gulf Coast Human Trafficking Task Force (fictional)';
const BUCKEYE = 'Central Ohio Human Trafficking Task Force (fictional)';

const ADVOCATE = 'Rosa Delgado';
const PROSECUTOR = 'Marcus Whitaker';
/** Prosecutors who must NOT be found: one in the right state without the expertise, one with it in Texas. */
const OHIO_GENERALIST = 'Nora Lindqvist';
const TEXAS_PROSECUTOR = 'Ellis Carver';

const FIRST = 'Hello, we have a labor trafficking case with a staffing agency in Ohio. Could we talk about charging options?';
const REPLY = 'Happy to help. Restaurants and staffing agencies: we charged under the forced labor statute last year.';
const THANKS = 'Thank you! I will send you the outline of our case next week.';
const NO_JS_TEXT = 'Sent from the plain form: I will call your office on Tuesday morning.';
const SSN_TEXT = 'Our client file says SSN 123-45-6789, is that something you need for the referral?';

const WIDTH = 320;
/** The inbox's page size (the web asks the API for 20). */
const INBOX_PAGE = 20;

describe('direct messages between members in real browsers', () => {
  let server: RunningServer;
  let browser: Browser;
  let advocate: SeededMember;
  let prosecutor: SeededMember;
  let moderator: SeededMember;
  /** Members the prosecutor writes to, so that their inbox has a second page. */
  let contacts: SeededMember[];
  let tabA: MemberTab;
  let tabB: MemberTab;
  let framesA: string[];
  let framesB: string[];

  beforeAll(async () => {
    // The server child gets only the env it is given: a second web build must be passed on by name.
    server = await startServer(process.env.WEB_BUILD_DIR ? { WEB_BUILD_DIR: process.env.WEB_BUILD_DIR } : {});
    const seed = seeder(server);
    const gulf = seed.taskForce(GULF, ['TX']);
    const buckeye = seed.taskForce(BUCKEYE, ['OH']);
    advocate = await seed.member({ name: ADVOCATE, taskForceId: gulf.id, discipline: 'victim_services' });
    prosecutor = await seed.member({ name: PROSECUTOR, taskForceId: buckeye.id, discipline: 'prosecution' });
    const generalist = await seed.member({ name: OHIO_GENERALIST, taskForceId: buckeye.id, discipline: 'prosecution' });
    const texan = await seed.member({ name: TEXAS_PROSECUTOR, taskForceId: gulf.id, discipline: 'prosecution' });
    moderator = await seed.member({ role: 'moderator', name: 'Riley Moderator (fictional)' });
    contacts = [];
    for (let i = 1; i <= INBOX_PAGE; i++)
      contacts.push(await seed.member({ name: `Contact Number ${String(i).padStart(2, '0')}` }));
    seed.close();
    browser = await launch();

    tabA = await signedInTab(browser, server.origin, advocate);
    tabB = await signedInTab(browser, server.origin, prosecutor);
    framesA = socketFrames(tabA.page);
    framesB = socketFrames(tabB.page);
    await saveProfile(tabA.context.request, server.origin, { state: 'TX', expertise: ['survivor services'] });
    await saveProfile(tabB.context.request, server.origin, {
      state: 'OH',
      jobTitle: 'Assistant U.S. Attorney',
      expertise: ['labor trafficking', 'forced labor']
    });
    for (const [who, profile] of [
      [generalist, { state: 'OH', expertise: ['sex trafficking'] }],
      [texan, { state: 'TX', expertise: ['labor trafficking'] }]
    ] as const) {
      const tab = await signedInTab(browser, server.origin, who);
      await saveProfile(tab.context.request, server.origin, { ...profile, expertise: [...profile.expertise] });
      await tab.context.close();
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a victim advocate finds a prosecutor in another state by expertise and messages them; both see the other live', async () => {
    const origin = server.origin;
    const pa = tabA.page;
    const pb = tabB.page;

    // B has the inbox open, empty, with the socket up.
    await visit(tabB, `${origin}/messages`);
    await pb.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
    await pb.getByText('You have no messages yet.').waitFor();
    expect(await messagesNavLink(pb).textContent()).toBe('Messages');
    await checkPage(tabB, 'the empty inbox');
    await expect.poll(() => framesB.some((f) => f.includes('"type":"hello"')), { timeout: 10_000 }).toBe(true);
    await markDocument(pb);

    // A looks for a prosecutor in Ohio who knows labor trafficking.
    await visit(tabA, `${origin}/members`);
    await pa.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
    // The results list expertise too: the filters are the ones in the search form.
    const filters = pa.getByRole('search', { name: 'Find members' });
    await chooseOption(filters.getByLabel('Discipline', { exact: true }), 'Prosecution');
    await chooseOption(filters.getByLabel('State', { exact: true }), 'Ohio');
    await filters.getByLabel('Expertise', { exact: true }).fill('labor trafficking');
    await checkPage(tabA, 'the member directory');
    await filters.getByRole('button', { name: 'Find members' }).click();
    await pa.waitForURL((url) => url.searchParams.get('state') === 'OH', { timeout: 15_000 });
    const result = pa.getByRole('link', { name: PROSECUTOR, exact: true });
    await result.waitFor();
    expect(await pa.getByRole('link', { name: OHIO_GENERALIST }).count()).toBe(0);
    expect(await pa.getByRole('link', { name: TEXAS_PROSECUTOR }).count()).toBe(0);
    await result.click();
    await pa.waitForURL((url) => url.pathname === `/members/${prosecutor.id}`, { timeout: 15_000 });
    await pa.getByRole('heading', { level: 1, name: PROSECUTOR }).waitFor();

    await pa.getByRole('link', { name: 'Send a message' }).click();
    await pa.waitForURL((url) => url.pathname === '/messages/new', { timeout: 15_000 });
    await pa.getByRole('heading', { level: 1, name: `New message to ${PROSECUTOR}` }).waitFor();
    expect(await pa.title()).toBe(`New message to ${PROSECUTOR} — Task Force Connect`);
    const box = pa.getByLabel('Message', { exact: true });
    // The victim-privacy rule is read with the box.
    expect(await box.getAttribute('aria-describedby')).toContain('new-message-rule');
    await checkPage(tabA, 'the new-message page');
    await box.fill(FIRST);
    await pa.getByRole('button', { name: 'Send', exact: true }).click();
    await pa.waitForURL((url) => /^\/messages\/\d+$/.test(url.pathname), { timeout: 15_000 });
    await pa.getByRole('heading', { level: 1, name: `Conversation with ${PROSECUTOR}` }).waitFor();
    const conversationId = conversationIdOf(pa);
    await messageItem(pa, FIRST).waitFor();
    // Focus stays in the message box, ready for the next message.
    await expect.poll(() => pa.evaluate(() => document.activeElement?.id)).toBe('reply-body');
    await checkPage(tabA, 'the conversation after the first message');
    await expect.poll(() => framesA.some((f) => f.includes('"type":"hello"')), { timeout: 10_000 }).toBe(true);
    await markDocument(pa);

    // B: the conversation arrives in the open inbox and the header count rises, without a reload.
    const fromA = pb.getByRole('link', { name: ADVOCATE, exact: true });
    await fromA.waitFor({ timeout: 10_000 });
    await expect.poll(() => messagesNavLink(pb).textContent(), { timeout: 10_000 }).toBe('Messages (1 unread)');
    await pb.locator('.conversation-list li').filter({ hasText: ADVOCATE }).getByText('1 unread', { exact: true }).waitFor();
    expect(await pb.locator('.conversation-list').innerText()).toContain('Could we talk about charging options?');
    expect(await reloaded(pb)).toBe(false);
    await checkPage(tabB, 'the inbox with a new conversation');

    // B opens it: shown = read; the header count goes back.
    await fromA.click();
    await pb.waitForURL((url) => url.pathname === `/messages/${conversationId}`, { timeout: 15_000 });
    await pb.getByRole('heading', { level: 1, name: `Conversation with ${ADVOCATE}` }).waitFor();
    await messageItem(pb, FIRST).waitFor();
    await expect.poll(() => messagesNavLink(pb).textContent(), { timeout: 10_000 }).toBe('Messages');
    await checkPage(tabB, 'a conversation with an unread message');

    // B replies; A, looking at the conversation, sees it arrive and hears it announced.
    const replyBox = pb.getByLabel('Message', { exact: true });
    await replyBox.fill(REPLY);
    await pressAndWait(pb, pb.getByRole('button', { name: 'Send', exact: true }));
    await messageItem(pb, REPLY).waitFor();
    expect(await replyBox.inputValue()).toBe('');
    await expect.poll(() => pb.evaluate(() => document.activeElement?.id)).toBe('reply-body');

    await messageItem(pa, REPLY).waitFor({ timeout: 10_000 });
    await pa
      .getByRole('status')
      .filter({ hasText: `New message from ${PROSECUTOR}` })
      .waitFor();
    // The notification came too, but the open conversation already said it: no toast repeating it.
    await expect.poll(() => framesA.some((f) => f.includes('"kind":"direct_message"')), { timeout: 10_000 }).toBe(true);
    expect(await pa.locator('.toast-region').innerText()).not.toContain('sent you');
    expect(await pa.locator('ol.message-list > li').count()).toBe(2);
    expect(await reloaded(pa)).toBe(false);
    // Read while shown: A's header shows nothing unread.
    await expect.poll(() => messagesNavLink(pa).textContent(), { timeout: 10_000 }).toBe('Messages');
    await checkPage(tabA, 'the conversation after a live reply');

    // A answers with the keyboard only: Ctrl+Enter sends from the box.
    await pa.getByLabel('Message', { exact: true }).focus();
    await pa.keyboard.type(THANKS);
    await pa.keyboard.press('Control+Enter');
    await messageItem(pa, THANKS).waitFor({ timeout: 10_000 });
    await messageItem(pb, THANKS).waitFor({ timeout: 10_000 });
    await pb
      .getByRole('status')
      .filter({ hasText: `New message from ${ADVOCATE}` })
      .waitFor();

    // Going back to /messages/new for the same member opens the conversation instead.
    await visit(tabA, `${origin}/messages/new?to=${prosecutor.id}`);
    await pa.waitForURL((url) => url.pathname === `/messages/${conversationId}`, { timeout: 15_000 });

    // 320 px: the inbox and the conversation fit without sideways scrolling.
    await pa.setViewportSize({ width: WIDTH, height: 720 });
    await visit(tabA, `${origin}/messages/${conversationId}`);
    await pa.getByRole('heading', { level: 1, name: `Conversation with ${PROSECUTOR}` }).waitFor();
    expect(await scrollWidth(pa)).toBeLessThanOrEqual(WIDTH);
    await checkPage(tabA, 'the conversation at 320 px');
    await visit(tabA, `${origin}/messages`);
    await pa.getByRole('link', { name: PROSECUTOR, exact: true }).waitFor();
    expect(await scrollWidth(pa)).toBeLessThanOrEqual(WIDTH);
    await checkPage(tabA, 'the inbox at 320 px');
    await pa.setViewportSize({ width: 1280, height: 720 });
  });

  it('a fake SSN gets the privacy question; the recipient flags it, it is hidden at once, and a moderator sees it in the queue', async () => {
    const origin = server.origin;
    const pa = tabA.page;
    const pb = tabB.page;
    await visit(tabA, `${origin}/messages`);
    await pa.getByRole('link', { name: PROSECUTOR, exact: true }).click();
    await pa.getByRole('heading', { level: 1, name: `Conversation with ${PROSECUTOR}` }).waitFor();
    const conversationId = conversationIdOf(pa);
    framesB.length = 0;
    await visit(tabB, `${origin}/messages/${conversationId}`);
    await pb.getByRole('heading', { level: 1, name: `Conversation with ${ADVOCATE}` }).waitFor();
    await expect.poll(() => framesB.some((f) => f.includes('"type":"hello"')), { timeout: 10_000 }).toBe(true);

    // The guard asks first; the text is kept.
    await pa.getByLabel('Message', { exact: true }).fill(SSN_TEXT);
    await pressAndWait(pa, pa.getByRole('button', { name: 'Send', exact: true }));
    const question = pa.getByRole('alert').filter({ hasText: 'Check before sending: this may identify a victim.' });
    await question.waitFor();
    expect(await question.innerText()).toContain('123-45-6789');
    expect(await pa.getByLabel('Message', { exact: true }).inputValue()).toBe(SSN_TEXT);
    expect(await messageItem(pa, '123-45-6789').count()).toBe(0);
    await checkPage(tabA, 'the privacy question on a message');
    // "Send anyway" without the box ticked is refused, with the reason beside the box.
    await pressAndWait(pa, pa.getByRole('button', { name: 'Send anyway' }));
    await pa.getByText('Tick the box to confirm the message contains no victim-identifying information, or edit it.').waitFor();
    await pa.getByLabel('I confirm this contains no victim-identifying information').check();
    await pressAndWait(pa, pa.getByRole('button', { name: 'Send anyway' }));
    await messageItem(pa, '123-45-6789').waitFor();

    // B sees it live and flags it as victim-identifying: hidden at once, for both.
    const flagged = messageItem(pb, '123-45-6789');
    await flagged.waitFor({ timeout: 10_000 });
    await flagged
      .locator('summary')
      .filter({ hasText: /^Flag the message from / })
      .click();
    await flagged.getByLabel('Why are you flagging this message?').selectOption({ label: 'Victim-identifying information' });
    await flagged.getByLabel('Note for the moderators').fill('A Social Security number, in a message to me.');
    await checkPage(tabB, 'the flag form on a message');
    await pressAndWait(pb, flagged.getByRole('button', { name: 'Send flag' }));
    const hiddenB = pb
      .locator('ol.message-list > li')
      .filter({ hasText: 'Thank you: flagged as “Victim-identifying information”' });
    await hiddenB.getByText('This message is hidden while a moderator reviews it.').waitFor();
    expect(await pb.locator('ol.message-list').innerText()).not.toContain('123-45-6789');
    await checkPage(tabB, 'a conversation with a flagged message');
    // A's open page follows without a reload.
    await expect.poll(() => pa.locator('ol.message-list').innerText(), { timeout: 10_000 }).not.toContain('123-45-6789');
    await pa.getByText('This message is hidden while a moderator reviews it.').waitFor();

    // The moderator finds it in the queue, with the conversation before it for context.
    const tabM = await signedInTab(browser, origin, moderator);
    const pm = tabM.page;
    await visit(tabM, `${origin}/admin/moderation`);
    await pm.getByRole('link', { name: 'Flagged direct messages' }).click();
    await pm.waitForURL((url) => url.pathname === '/admin/moderation/messages', { timeout: 15_000 });
    await pm.getByRole('heading', { level: 1, name: 'Flagged messages' }).waitFor();
    const item = pm.getByRole('article', { name: new RegExp(`Message from ${ADVOCATE} to ${PROSECUTOR}`) });
    await item.waitFor();
    expect(await item.innerText()).toContain('123-45-6789');
    expect(await item.innerText()).toContain(`flagged by ${PROSECUTOR}`);
    await checkPage(tabM, 'the message flag queue');
    await item.getByText(/^Earlier in the conversation/).click();
    expect(await item.innerText()).toContain('Thank you! I will send you the outline');

    // Purged for good: gone from the queue and from both sides' pages.
    await item.getByLabel('I understand this permanently removes the text').check();
    await pressAndWait(pm, item.getByRole('button', { name: 'Purge text' }));
    await pm.getByRole('status').filter({ hasText: 'Purged the text of the message for good.' }).waitFor();
    await pm.getByText('No flagged messages are waiting for review.').waitFor();
    await checkPage(tabM, 'the message flag queue after a decision');
    await visit(tabB, `${origin}/messages/${conversationId}`);
    await pb.getByText('A moderator removed this message.').waitFor();
    expect(await pb.content()).not.toContain('123-45-6789');
    await tabM.context.close();
  });

  it('without JavaScript, a member replies and deletes their own message with the plain forms; the other side sees it live', async () => {
    const origin = server.origin;
    const pa = tabA.page;
    // B's own session in a second context, without JavaScript (one sign-in fewer: sign-ins are throttled per address).
    const context = await browser.newContext({ javaScriptEnabled: false, storageState: await tabB.context.storageState() });
    const pn = await context.newPage();
    await pn.goto(`${origin}/messages`);
    await pn.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
    await pn.getByRole('link', { name: ADVOCATE, exact: true }).click();
    await pn.getByRole('heading', { level: 1, name: `Conversation with ${ADVOCATE}` }).waitFor();
    const conversationId = conversationIdOf(pn);
    framesA.length = 0;
    await visit(tabA, `${origin}/messages/${conversationId}`);
    await pa.getByRole('heading', { level: 1, name: `Conversation with ${PROSECUTOR}` }).waitFor();
    await expect.poll(() => framesA.some((f) => f.includes('"type":"hello"')), { timeout: 10_000 }).toBe(true);

    // A blank message passes the browser's own check but is refused, with the reason beside the box.
    await pn.getByLabel('Message', { exact: true }).fill('   ');
    await pn.getByRole('button', { name: 'Send', exact: true }).click();
    await pn.getByText('Write a message before sending.').first().waitFor();
    expect(await pn.getByLabel('Message', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await auditWithoutJs(browser, pn, 'an empty message refused');

    await pn.getByLabel('Message', { exact: true }).fill(NO_JS_TEXT);
    await pn.getByRole('button', { name: 'Send', exact: true }).click();
    const mine = messageItem(pn, NO_JS_TEXT);
    await mine.waitFor();
    await messageItem(pa, NO_JS_TEXT).waitFor({ timeout: 10_000 });

    await mine
      .locator('summary')
      .filter({ hasText: /^Delete/ })
      .click();
    await mine.getByRole('button', { name: 'Delete message' }).click();
    await pn.getByText('Your message was deleted.').waitFor();
    expect(await pn.locator('ol.message-list').innerText()).not.toContain(NO_JS_TEXT);
    await auditWithoutJs(browser, pn, 'a deleted message');
    // The other side's open page drops the text without a reload.
    await expect.poll(() => pa.locator('ol.message-list').innerText(), { timeout: 10_000 }).not.toContain(NO_JS_TEXT);
    await pa.getByText('This message was deleted.').first().waitFor();
    await context.close();
  });

  it('the inbox pages back through older conversations; a member cannot write to themselves', async () => {
    const origin = server.origin;
    const tab = tabB;
    const { page } = tab;
    // B already talks with A; INBOX_PAGE newer conversations push that one to the second page.
    for (const contact of contacts) {
      await tab.api.ok('POST', '/messages', { to: contact.id, body: `A question for ${contact.name} about shelter referrals.` });
    }
    await visit(tab, `${origin}/messages`);
    await page.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
    const list = page.locator('.conversation-list > li');
    expect(await list.count()).toBe(INBOX_PAGE);
    expect(await list.first().innerText()).toContain(`Contact Number ${INBOX_PAGE}`);
    expect(await page.locator('.conversation-list').innerText()).not.toContain(ADVOCATE);
    await page.getByRole('link', { name: 'Older conversations' }).click();
    await page.waitForURL((url) => url.searchParams.has('after'), { timeout: 15_000 });
    await page.getByRole('link', { name: ADVOCATE, exact: true }).waitFor();
    expect(await list.count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Older conversations' }).count()).toBe(0);
    await checkPage(tab, 'the second page of the inbox');

    await visit(tab, `${origin}/messages/new?to=${prosecutor.id}`);
    await page.getByRole('heading', { level: 1, name: /^New message to / }).waitFor();
    await page.getByText('You cannot send a message to yourself.').waitFor();
    expect(await page.getByLabel('Message', { exact: true }).count()).toBe(0);
    await checkPage(tab, 'the new-message page addressed to oneself');
  });
});
