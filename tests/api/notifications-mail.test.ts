import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { SmtpMailer } from '../../server/mail/mailer.ts';
import { digestCutoff, runNotificationMailJob, sendDelayedEmails, sendDigests } from '../../server/modules/notifications/mail.ts';
import { DAY, HOUR, MINUTE } from '../../server/shared/clock.ts';
import { call, ORIGIN, type TestApp } from '../support/app.ts';
import { createTaskForce, sessionCookie } from '../support/factories.ts';
import { discussionsApp, makeCategory, replyTo, signedMember, startThread, type Signed } from '../support/discussions.ts';

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const notificationMails = () => t.mails().filter((m) => !/activate|confirm|review/i.test(m.subject));
const setEmail = (who: Signed, preferences: Record<string, string>) =>
  call(t.app, 'PUT', '/api/notifications/preferences', { cookie: who.cookie, body: { preferences } });

/** A watched thread in a public (or private) category, and someone to reply in it. */
async function scene(opts: { private?: boolean } = {}) {
  const admin = await signedMember(t, { role: 'admin' });
  const tf = createTaskForce(t);
  const categoryId = await makeCategory(t, admin, opts.private ? { taskForceIds: [tf.id] } : {});
  const watcher = await signedMember(t, { name: 'Blake Watcher', taskForceId: tf.id });
  const replier = await signedMember(t, { name: 'Avery Replier', taskForceId: tf.id });
  const { threadId } = await startThread(t, watcher, categoryId, { title: 'Interview tips' });
  return { admin, watcher, replier, threadId, taskForceId: tf.id };
}

describe('e-mail immediately: sent only if still unread after 10 minutes', () => {
  it('waits 10 minutes, sends once, with the text, the excerpt (public category) and the link', async () => {
    t = await discussionsApp();
    const { watcher, replier, threadId } = await scene();
    const { postId } = await replyTo(t, replier, threadId, 'We pair every interview with an advocate.');
    await t.deps.bus.idle();
    expect(await sendDelayedEmails(t.deps)).toEqual({ sent: 0, skipped: 0 });
    t.clock.advance(9 * MINUTE);
    await sendDelayedEmails(t.deps);
    expect(notificationMails()).toEqual([]);
    t.clock.advance(MINUTE);
    expect(await sendDelayedEmails(t.deps)).toEqual({ sent: 1, skipped: 0 });
    const [mail] = notificationMails();
    expect(mail).toMatchObject({ to: watcher.email, subject: 'Task Force Connect: Avery Replier replied in “Interview tips”' });
    expect(mail!.text).toContain('> We pair every interview with an advocate.');
    expect(mail!.text).toContain(`Open it: ${ORIGIN}/discussions/p/${postId}`);
    expect(mail!.text).toContain(`${ORIGIN}/account/notifications`);
    t.clock.advance(HOUR);
    expect(await sendDelayedEmails(t.deps)).toEqual({ sent: 0, skipped: 0 });
    expect(notificationMails()).toHaveLength(1);
  });

  it('is not sent when read within the 10 minutes, nor when the member turned it off', async () => {
    t = await discussionsApp();
    const { watcher, replier, threadId } = await scene();
    const quiet = await signedMember(t);
    await setEmail(quiet, { reply: 'off' });
    await call(t.app, 'POST', `/api/discussions/threads/${threadId}/notification-level`, {
      cookie: quiet.cookie,
      body: { level: 'watching' }
    });
    await replyTo(t, replier, threadId, 'First reply.');
    await t.deps.bus.idle();
    const [notice] = (await call(t.app, 'GET', '/api/notifications', { cookie: watcher.cookie })).json().notifications;
    await call(t.app, 'POST', `/api/notifications/${notice.id}/read`, { cookie: watcher.cookie });
    t.clock.advance(10 * MINUTE);
    expect(await sendDelayedEmails(t.deps)).toEqual({ sent: 0, skipped: 1 });
    expect(notificationMails()).toEqual([]);
    // The quiet member was notified in-app all the same.
    expect((await call(t.app, 'GET', '/api/notifications/unread-count', { cookie: quiet.cookie })).json().unreadCount).toBe(1);
  });

  it('a private category’s e-mail carries the title only, never the text', async () => {
    t = await discussionsApp();
    const { watcher, replier, threadId } = await scene({ private: true });
    await replyTo(t, replier, threadId, 'Confidential debrief about the zucchini operation.');
    await t.deps.bus.idle();
    t.clock.advance(10 * MINUTE);
    await sendDelayedEmails(t.deps);
    const [mail] = notificationMails();
    expect(mail?.to).toBe(watcher.email);
    expect(mail!.subject).toContain('“Interview tips”');
    expect(mail!.text).toContain('Interview tips');
    expect(mail!.text).not.toContain('zucchini');
  });

  it('is not sent once the member can no longer read the category', async () => {
    t = await discussionsApp();
    const { admin, replier, threadId } = await scene({ private: true });
    await replyTo(t, replier, threadId, 'Before the audience changed.');
    await t.deps.bus.idle();
    const category = (await call(t.app, 'GET', `/api/discussions/threads/${threadId}`, { cookie: admin.cookie })).json().thread
      .category.id;
    const other = createTaskForce(t);
    const changed = await call(t.app, 'PATCH', `/api/admin/categories/${category}`, {
      cookie: admin.cookie,
      body: { name: 'Moved audience', description: '', position: 1, colour: '#1f5f8b', taskForceIds: [other.id], disciplines: [] }
    });
    expect(changed.statusCode).toBe(200);
    t.clock.advance(10 * MINUTE);
    expect(await sendDelayedEmails(t.deps)).toEqual({ sent: 0, skipped: 1 });
  });
});

describe('digests', () => {
  it('cut-offs: daily at 10:00 UTC, weekly on Monday 10:00 UTC', () => {
    const monday = Date.UTC(2026, 0, 5, 12);
    expect(new Date(digestCutoff(monday, 'daily')).toISOString()).toBe('2026-01-05T10:00:00.000Z');
    expect(new Date(digestCutoff(Date.UTC(2026, 0, 5, 9), 'daily')).toISOString()).toBe('2026-01-04T10:00:00.000Z');
    expect(new Date(digestCutoff(Date.UTC(2026, 0, 8, 9), 'weekly')).toISOString()).toBe('2026-01-05T10:00:00.000Z');
    expect(new Date(digestCutoff(Date.UTC(2026, 0, 5, 9), 'weekly')).toISOString()).toBe('2025-12-29T10:00:00.000Z');
  });

  it('daily: one e-mail per member for what came before the cut-off and is still unread; skipped when empty', async () => {
    t = await discussionsApp();
    const { watcher, replier, threadId } = await scene();
    await setEmail(watcher, { reply: 'daily' });
    expect(await sendDigests(t.deps, 'daily')).toEqual({ sent: 0, skipped: 0 });
    await replyTo(t, replier, threadId, 'First practice tip.');
    await replyTo(t, replier, threadId, 'Second practice tip.');
    await t.deps.bus.idle();
    // Not the "immediate" job's, and not before the next 10:00 UTC (the clock says Monday 12:00).
    t.clock.advance(HOUR);
    expect(await sendDelayedEmails(t.deps)).toEqual({ sent: 0, skipped: 0 });
    expect(await sendDigests(t.deps, 'daily')).toEqual({ sent: 0, skipped: 0 });
    t.clock.advance(DAY);
    expect(await sendDigests(t.deps, 'daily')).toEqual({ sent: 1, skipped: 0 });
    const [digest] = notificationMails();
    expect(digest).toMatchObject({ to: watcher.email, subject: 'Task Force Connect: your daily summary (2 notifications)' });
    expect(digest!.text).toContain('> First practice tip.');
    expect(digest!.text).toContain('> Second practice tip.');
    expect(await sendDigests(t.deps, 'daily')).toEqual({ sent: 0, skipped: 0 });

    // Only read ones left: nothing is sent. (A day later, sessions have idled out: sign in again.)
    await replyTo(t, { ...replier, cookie: sessionCookie(t, replier.id) }, threadId, 'Third tip.');
    await t.deps.bus.idle();
    await call(t.app, 'POST', '/api/notifications/read-all', { cookie: sessionCookie(t, watcher.id), body: {} });
    t.clock.advance(DAY);
    expect(await sendDigests(t.deps, 'daily')).toEqual({ sent: 0, skipped: 1 });
    expect(notificationMails()).toHaveLength(1);
  });

  it('weekly: waits for Monday; private categories carry the title only', async () => {
    t = await discussionsApp();
    const open = await scene();
    const closed = await scene({ private: true });
    // One member watching both threads.
    const reader = closed.watcher;
    await call(t.app, 'POST', `/api/discussions/threads/${open.threadId}/notification-level`, {
      cookie: reader.cookie,
      body: { level: 'watching' }
    });
    await setEmail(reader, { reply: 'weekly' });
    await replyTo(t, open.replier, open.threadId, 'A public practice tip.');
    await replyTo(t, closed.replier, closed.threadId, 'Confidential zucchini debrief.');
    await t.deps.bus.idle();
    t.clock.advance(DAY);
    expect(await sendDigests(t.deps, 'weekly')).toEqual({ sent: 0, skipped: 0 });
    t.clock.advance(6 * DAY);
    expect(await runNotificationMailJob(t.deps)).toMatchObject({ weekly: { sent: 1, skipped: 0 } });
    const digests = notificationMails().filter((m) => m.to === reader.email);
    expect(digests).toHaveLength(1);
    expect(digests[0]!.subject).toBe('Task Force Connect: your weekly summary (2 notifications)');
    expect(digests[0]!.text).toContain('> A public practice tip.');
    expect(digests[0]!.text).toContain('Interview tips');
    expect(digests[0]!.text).not.toContain('zucchini');
  });
});

describe('through SMTP', () => {
  it('a delayed notification e-mail reaches the SMTP server', async () => {
    const received: { to: string[]; raw: string }[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.server.address() as AddressInfo;
      const mailer = new SmtpMailer(`smtp://127.0.0.1:${port}`, 'Task Force Connect <no-reply@connect.example.gov>');
      t = await discussionsApp();
      // The app under test keeps the outbox for its own mail; the job is given the SMTP mailer.
      const { watcher, replier, threadId } = await scene();
      await replyTo(t, replier, threadId, 'Delivered by SMTP.');
      await t.deps.bus.idle();
      t.clock.advance(10 * MINUTE);
      expect(await sendDelayedEmails({ ...t.deps, mailer })).toEqual({ sent: 1, skipped: 0 });
      expect(received.map((r) => r.to)).toEqual([[watcher.email]]);
      expect(received[0]!.raw).toMatch(/Delivered by SMTP/);
      mailer.close();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
