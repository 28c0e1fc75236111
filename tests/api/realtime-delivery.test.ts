import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, type TestApp } from '../support/app.ts';
import { createTaskForce } from '../support/factories.ts';
import { makeCategory, replyTo, signedMember, startThread, type Signed } from '../support/discussions.ts';
import { runAccessJob } from '../../server/jobs/access.ts';
import { DAY } from '../../server/shared/clock.ts';
import { listeningApp, LiveClient, settle } from './realtime-helpers.ts';

let t: TestApp;
let url: string;
let admin: Signed;
let categoryId: number;
const clients: LiveClient[] = [];

beforeEach(async () => {
  ({ t, url } = await listeningApp());
  admin = await signedMember(t, { role: 'admin' });
  categoryId = await makeCategory(t, admin, { name: 'Labor trafficking practice' });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await t.close();
});

async function live(who: Signed, after?: number): Promise<LiveClient> {
  const client = await LiveClient.connect(url, { cookie: who.cookie, ...(after !== undefined ? { after } : {}) });
  clients.push(client);
  await client.next(after === undefined ? 'hello' : 'hello');
  return client;
}

describe('live delivery of each kind, persisted first', () => {
  it('reply in a watched thread: who, what, where, a link to the exact post, the unread count', async () => {
    const author = await signedMember(t, { name: 'Blake Author' });
    const replier = await signedMember(t, { name: 'Avery Replier' });
    const { threadId } = await startThread(t, author, categoryId, { title: 'Interview tips' });
    const client = await live(author);
    const { postId } = await replyTo(t, replier, threadId, 'We pair every interview with an advocate.');
    const pushed = await client.next('notification');
    expect(pushed.unreadCount).toBe(1);
    expect(pushed.notification).toMatchObject({
      id: pushed.id,
      kind: 'reply',
      text: 'Avery Replier replied in “Interview tips”',
      url: `/discussions/p/${postId}`,
      actor: { id: replier.id, name: 'Avery Replier' },
      thread: { id: threadId, title: 'Interview tips' },
      excerpt: 'We pair every interview with an advocate.',
      readAt: null,
      replaces: null
    });
    // Persisted first: the same row is in the list.
    const list = await call(t.app, 'GET', '/api/notifications', { cookie: author.cookie });
    expect(list.json().notifications[0]).toEqual(pushed.notification);
    // The replier is not told about their own reply.
    expect((await call(t.app, 'GET', '/api/notifications/unread-count', { cookie: replier.cookie })).json().unreadCount).toBe(0);
  });

  it('read state follows live in every tab: one read, all read, reading the thread', async () => {
    const author = await signedMember(t);
    const replier = await signedMember(t);
    const { threadId } = await startThread(t, author, categoryId);
    const client = await live(author);
    await replyTo(t, replier, threadId, 'First.');
    const second = await replyTo(t, replier, threadId, 'Second.');
    await replyTo(t, replier, threadId, 'Third.');
    const first = await client.next('notification');
    await client.next('notification', (m) => m.unreadCount === 3);
    await call(t.app, 'POST', `/api/notifications/${first.id}/read`, { cookie: author.cookie });
    expect(await client.next('read')).toEqual({ type: 'read', ids: [first.id], unreadCount: 2 });
    await call(t.app, 'POST', `/api/discussions/threads/${threadId}/read`, {
      cookie: author.cookie,
      body: { number: second.number }
    });
    expect(await client.next('read', (m) => m.unreadCount === 1)).toMatchObject({ ids: [expect.any(Number)] });
    await call(t.app, 'POST', '/api/notifications/read-all', { cookie: author.cookie, body: {} });
    expect(await client.next('read', (m) => m.ids === null)).toEqual({ type: 'read', ids: null, unreadCount: 0 });
  });

  it('mention (superseding the reply notice of the same post) and quote', async () => {
    const author = await signedMember(t, { name: 'Blake Author' });
    const other = await signedMember(t, { name: 'Casey Other' });
    const replier = await signedMember(t, { name: 'Avery Replier' });
    const { threadId, postId: opening } = await startThread(t, author, categoryId, { title: 'Interview tips' });
    const authorLive = await live(author);
    const otherLive = await live(other);

    const mention = await replyTo(
      t,
      replier,
      threadId,
      `Good question @[Blake Author](member:${author.id}) and @[Casey Other](member:${other.id})`
    );
    await settle(t);
    const toOther = await otherLive.next('notification');
    expect(toOther.notification).toMatchObject({ kind: 'mention', text: 'Avery Replier mentioned you in “Interview tips”' });
    // The author watches the thread, so a reply notice was stored first; the mention replaced it (the
    // reply row was gone before its push went out, so only the mention arrives, naming what it replaces).
    const pushes = authorLive.notifications();
    expect(pushes.map((p) => p.notification.kind)).toEqual(['mention']);
    const replaced = pushes[0]!.notification.replaces;
    expect(replaced).toBeGreaterThan(0);
    expect(replaced).toBeLessThan(pushes[0]!.id);
    expect(pushes[0]!.notification.url).toBe(`/discussions/p/${mention.postId}`);
    expect(pushes[0]!.unreadCount).toBe(1);
    const listed = (await call(t.app, 'GET', '/api/notifications', { cookie: author.cookie })).json().notifications;
    expect(listed.map((n: { kind: string }) => n.kind)).toEqual(['mention']);

    const quote = await replyTo(t, replier, threadId, '> Original question\n\nAnswering this.', { quotePostId: opening });
    const quoted = await authorLive.next('notification', (m) => m.notification.kind === 'quote');
    expect(quoted.notification).toMatchObject({
      text: 'Avery Replier quoted your post in “Interview tips”',
      url: `/discussions/p/${quote.postId}`
    });
    expect(quoted.unreadCount).toBe(2);
  });

  it('reactions are grouped per post: "A and 2 others reacted"', async () => {
    const author = await signedMember(t, { name: 'Blake Author' });
    const { postId } = await startThread(t, author, categoryId, { title: 'Interview tips' });
    const client = await live(author);
    const names = ['Avery One', 'Casey Two', 'Devon Three'];
    for (const name of names) {
      const reactor = await signedMember(t, { name });
      expect(
        (
          await call(t.app, 'POST', `/api/discussions/posts/${postId}/reactions`, {
            cookie: reactor.cookie,
            body: { kind: 'helpful' }
          })
        ).statusCode
      ).toBe(200);
      await settle(t);
    }
    const pushes = client.notifications();
    expect(pushes.map((p) => p.notification.text)).toEqual([
      'Avery One reacted to your post in “Interview tips”',
      'Casey Two and Avery One reacted to your post in “Interview tips”',
      'Devon Three and 2 others reacted to your post in “Interview tips”'
    ]);
    expect(pushes[2]!.notification).toMatchObject({ count: 3, replaces: pushes[1]!.id });
    expect(pushes.map((p) => p.unreadCount)).toEqual([1, 1, 1]);
    const list = (await call(t.app, 'GET', '/api/notifications', { cookie: author.cookie })).json();
    expect(list.notifications).toHaveLength(1);
  });

  it('new thread in a watched category', async () => {
    const watcher = await signedMember(t);
    const starter = await signedMember(t, { name: 'Avery Starter' });
    const level = await call(t.app, 'POST', `/api/discussions/categories/${categoryId}/notification-level`, {
      cookie: watcher.cookie,
      body: { level: 'watching' }
    });
    expect(level.statusCode).toBe(200);
    const client = await live(watcher);
    const { threadId } = await startThread(t, starter, categoryId, { title: 'Shelter partners', body: 'Who do you work with?' });
    const pushed = await client.next('notification');
    expect(pushed.notification).toMatchObject({
      kind: 'new_thread',
      text: 'Avery Starter started “Shelter partners” in Labor trafficking practice',
      url: `/discussions/t/${threadId}`,
      excerpt: 'Who do you work with?'
    });
  });

  it('moderation outcome: to the author and to the member who flagged', async () => {
    const author = await signedMember(t);
    const flagger = await signedMember(t);
    const moderator = await signedMember(t, { role: 'moderator' });
    const { threadId } = await startThread(t, admin, categoryId, { title: 'Interview tips' });
    const { postId } = await replyTo(t, author, threadId, 'Off topic musing.');
    const flagged = await call(t.app, 'POST', `/api/discussions/posts/${postId}/flag`, {
      cookie: flagger.cookie,
      body: { reason: 'off_topic', note: 'Belongs elsewhere.' }
    });
    expect(flagged.statusCode).toBe(201);
    const authorLive = await live(author);
    const flaggerLive = await live(flagger);
    const decided = await call(t.app, 'POST', `/api/moderation/posts/${postId}/decide`, {
      cookie: moderator.cookie,
      body: { outcome: 'hide', note: 'Off topic.' }
    });
    expect(decided.statusCode).toBe(200);
    expect((await authorLive.next('notification')).notification).toMatchObject({
      kind: 'moderation_outcome',
      text: 'A moderator hid your post in “Interview tips”'
    });
    expect((await flaggerLive.next('notification')).notification.text).toBe(
      'Your flag on a post in “Interview tips” was reviewed: the post was hidden'
    );
  });

  it('membership request waiting: to admins and the coordinator of the task force named, not to other coordinators', async () => {
    const tf = createTaskForce(t, { name: 'Gulf Coast Task Force' });
    const otherTf = createTaskForce(t);
    const coordinator = await signedMember(t, { role: 'coordinator', taskForceId: tf.id });
    const otherCoordinator = await signedMember(t, { role: 'coordinator', taskForceId: otherTf.id });
    const [adminLive, coordinatorLive, otherLive] = [await live(admin), await live(coordinator), await live(otherCoordinator)];
    const body = {
      fullName: 'Dana Whitfield',
      email: 'dana.whitfield@sheriff.example.gov',
      agency: 'Example County Sheriff',
      jobTitle: 'Detective',
      discipline: 'law_enforcement',
      taskForceId: tf.id,
      supervisorName: 'Sgt. Lee Park',
      supervisorContact: 'lee.park@sheriff.example.gov',
      reason: 'I investigate labor trafficking cases and want to learn from peers.'
    };
    expect((await call(t.app, 'POST', '/api/membership-requests', { body })).statusCode).toBe(202);
    await t.deps.bus.idle();
    const token = t.linkFor(body.email, '/request-access/confirm');
    expect((await call(t.app, 'POST', '/api/membership-requests/confirm', { body: { token } })).statusCode).toBe(200);
    for (const client of [adminLive, coordinatorLive]) {
      expect((await client.next('notification')).notification).toMatchObject({
        kind: 'membership_request',
        text: 'Dana Whitfield asked to join (Gulf Coast Task Force): their request is waiting for review'
      });
    }
    await settle(t);
    expect(otherLive.notifications()).toEqual([]);

    // Decided by one: it no longer waits for the other (their badge follows live).
    const requestId = (await coordinatorLive.next('notification')).notification.url!.split('/').pop();
    expect(
      (await call(t.app, 'POST', `/api/admin/membership-requests/${requestId}/approve`, { cookie: admin.cookie })).statusCode
    ).toBe(200);
    expect(await coordinatorLive.next('read')).toMatchObject({ unreadCount: 0 });
    // The applicant now exists (pending until activation): their notice waits for them.
    await settle(t);
    const stored = t.db.$client
      .prepare('SELECT kind FROM notifications n JOIN members m ON m.id = n.member_id WHERE m.email = ?')
      .all(body.email);
    expect(stored).toEqual([{ kind: 'membership_decided' }]);
  });

  it('access expiring soon, from the access job', async () => {
    const tf = createTaskForce(t, { grantEndsAt: t.clock.now() + 20 * DAY });
    const member = await signedMember(t, { taskForceId: tf.id });
    const client = await live(member);
    runAccessJob(t.deps);
    const pushed = await client.next('notification');
    expect(pushed.notification.kind).toBe('access_expiring');
    expect(pushed.notification.text).toMatch(/^Your access ends on \d{4}-\d{2}-\d{2} \(in 20 days\)/);
    expect(pushed.notification.url).toBeNull();
  });
});
