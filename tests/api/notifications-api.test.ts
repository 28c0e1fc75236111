import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, type TestApp } from '../support/app.ts';
import { createMember, createTaskForce, sessionCookie } from '../support/factories.ts';
import { discussionsApp, makeCategory, replyTo, signedMember, startThread, type Signed } from '../support/discussions.ts';

let t: TestApp;
let admin: Signed;
let categoryId: number;
beforeEach(async () => {
  t = await discussionsApp();
  admin = await signedMember(t, { role: 'admin' });
  categoryId = await makeCategory(t, admin, { name: 'Open practice' });
});
afterEach(async () => {
  await t.close();
});

const get = (who: Signed, url: string) => call(t.app, 'GET', url, { cookie: who.cookie });
const post = (who: Signed, url: string, body?: unknown) => call(t.app, 'POST', url, { cookie: who.cookie, body });

/** `watcher` starts a thread; `replier` answers it `n` times. */
async function replies(n: number) {
  const watcher = await signedMember(t, { name: 'Blake Watcher' });
  const replier = await signedMember(t, { name: 'Avery Replier' });
  const { threadId } = await startThread(t, watcher, categoryId, { title: 'Interview tips' });
  const posts: { postId: number; number: number }[] = [];
  for (let i = 1; i <= n; i++) posts.push(await replyTo(t, replier, threadId, `Reply number ${i}.`));
  await t.deps.bus.idle();
  return { watcher, replier, threadId, posts };
}

describe('GET /api/notifications', () => {
  it('lists newest first in keyset pages, with the unread count and the socket cursor', async () => {
    const { watcher, posts } = await replies(5);
    const first = (await get(watcher, '/api/notifications?limit=2')).json();
    expect(first.notifications.map((n: { url: string }) => n.url)).toEqual(
      [posts[4], posts[3]].map((p) => `/discussions/p/${p!.postId}`)
    );
    expect(first.unreadCount).toBe(5);
    expect(first.lastId).toBe(first.notifications[0].id);
    expect(first.next).toBe(first.notifications[1].id);
    const second = (await get(watcher, `/api/notifications?limit=2&before=${first.next}`)).json();
    expect(second.notifications.map((n: { url: string }) => n.url)).toEqual(
      [posts[2], posts[1]].map((p) => `/discussions/p/${p!.postId}`)
    );
    const last = (await get(watcher, `/api/notifications?limit=2&before=${second.next}`)).json();
    expect(last.notifications).toHaveLength(1);
    expect(last.next).toBeNull();
    expect(first.notifications[0]).toMatchObject({
      kind: 'reply',
      text: 'Avery Replier replied in “Interview tips”',
      excerpt: 'Reply number 5.',
      readAt: null,
      thread: { title: 'Interview tips' }
    });
  });

  it('refuses bad paging input with a clear 400, and is members-only', async () => {
    const { watcher } = await replies(1);
    for (const query of [
      'limit=0',
      'limit=51',
      'limit=Infinity',
      'before=abc',
      'before=0',
      'before=1e400',
      'unread=maybe',
      'after=3'
    ]) {
      const res = await get(watcher, `/api/notifications?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.message, query).toBeTruthy();
    }
    expect((await call(t.app, 'GET', '/api/notifications')).statusCode).toBe(401);
    const pending = await createMember(t, { status: 'pending', noticeAccepted: false });
    expect((await call(t.app, 'GET', '/api/notifications', { cookie: sessionCookie(t, pending.id) })).statusCode).toBe(403);
  });

  it('unread=true lists only unread ones', async () => {
    const { watcher } = await replies(3);
    const all = (await get(watcher, '/api/notifications')).json().notifications;
    expect((await post(watcher, `/api/notifications/${all[0].id}/read`)).statusCode).toBe(200);
    const unread = (await get(watcher, '/api/notifications?unread=true')).json();
    expect(unread.notifications.map((n: { id: number }) => n.id)).toEqual([all[1].id, all[2].id]);
    expect(unread.unreadCount).toBe(2);
  });
});

describe('marking read', () => {
  it('one: sets readAt and lowers the count; idempotent; someone else’s is not found', async () => {
    const { watcher, replier } = await replies(2);
    const [newest] = (await get(watcher, '/api/notifications')).json().notifications;
    const read = await post(watcher, `/api/notifications/${newest.id}/read`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({ id: newest.id, readAt: t.clock.now(), unreadCount: 1 });
    t.clock.advance(1000);
    expect((await post(watcher, `/api/notifications/${newest.id}/read`)).json().readAt).toBe(t.clock.now() - 1000);
    const foreign = await post(replier, `/api/notifications/${newest.id}/read`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.message).toBe('That notification was not found.');
    expect((await post(watcher, '/api/notifications/999999/read')).statusCode).toBe(404);
    expect((await post(watcher, `/api/notifications/${newest.id}/read`, { extra: 1 })).statusCode).toBe(400);
  });

  it('all: up to the newest the member saw (one arriving meanwhile stays unread)', async () => {
    const { watcher, replier, threadId } = await replies(2);
    const seen = (await get(watcher, '/api/notifications')).json();
    await replyTo(t, replier, threadId, 'Arrived while the list was open.');
    await t.deps.bus.idle();
    const res = await post(watcher, '/api/notifications/read-all', { upTo: seen.lastId });
    expect(res.json()).toEqual({ marked: 2, unreadCount: 1 });
    expect((await post(watcher, '/api/notifications/read-all', {})).json()).toEqual({ marked: 1, unreadCount: 0 });
    expect((await get(watcher, '/api/notifications/unread-count')).json()).toEqual({
      unreadCount: 0,
      lastId: expect.any(Number),
      messages: 0
    });
    expect((await post(watcher, '/api/notifications/read-all', { upTo: 'all' })).statusCode).toBe(400);
    const huge = await t.app.inject({
      method: 'POST',
      url: '/api/notifications/read-all',
      headers: { cookie: watcher.cookie, origin: t.config.publicOrigin, 'content-type': 'application/json' },
      payload: '{"upTo":1e400}'
    });
    expect(huge.statusCode).toBe(400);
  });

  it('reading the target marks it read: the thread page reports how far the member read', async () => {
    const { watcher, threadId, posts } = await replies(3);
    const res = await post(watcher, `/api/discussions/threads/${threadId}/read`, { number: posts[1]!.number });
    expect(res.statusCode).toBe(200);
    const list = (await get(watcher, '/api/notifications')).json();
    expect(list.unreadCount).toBe(1);
    expect(list.notifications.map((n: { readAt: number | null }) => n.readAt !== null)).toEqual([false, true, true]);
  });
});

describe('what a notification keeps', () => {
  it('text taken from a post (hidden for review) is taken out of its notifications too', async () => {
    const { watcher, replier, threadId } = await replies(0);
    const { postId } = await replyTo(t, replier, threadId, 'The victim lives on Elm Street.', { confirmPrivacy: true });
    await t.deps.bus.idle();
    expect((await get(watcher, '/api/notifications')).json().notifications[0].excerpt).toMatch(/Elm Street/);
    const flagger = await signedMember(t);
    expect((await post(flagger, `/api/discussions/posts/${postId}/flag`, { reason: 'pii', note: null })).statusCode).toBe(201);
    await t.deps.bus.idle();
    const [hidden] = (await get(watcher, '/api/notifications')).json().notifications;
    expect(hidden.excerpt).toBeNull();
    expect(JSON.stringify(hidden)).not.toMatch(/Elm Street/);
  });

  it('an approved applicant finds their welcome once active', async () => {
    const tf = createTaskForce(t);
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
    await call(t.app, 'POST', '/api/membership-requests', { body });
    await t.deps.bus.idle();
    await call(t.app, 'POST', '/api/membership-requests/confirm', {
      body: { token: t.linkFor(body.email, '/request-access/confirm') }
    });
    await t.deps.bus.idle();
    const waiting = (await get(admin, '/api/notifications')).json().notifications;
    expect(waiting[0]).toMatchObject({ kind: 'membership_request', readAt: null });
    const requestId = Number(waiting[0].url.split('/').pop());
    const approved = await post(admin, `/api/admin/membership-requests/${requestId}/approve`);
    expect(approved.statusCode).toBe(200);
    await t.deps.bus.idle();
    // Decided: it no longer waits in the admin's list either.
    expect((await get(admin, '/api/notifications/unread-count')).json().unreadCount).toBe(0);
    const memberId = approved.json().memberId as number;
    t.db.$client
      .prepare("UPDATE members SET status = 'active', notice_accepted_at = ? WHERE id = ?")
      .run(t.clock.now(), memberId);
    const welcome = (await call(t.app, 'GET', '/api/notifications', { cookie: sessionCookie(t, memberId) })).json();
    expect(welcome.notifications.map((n: { text: string }) => n.text)).toEqual(['Welcome: your membership request was approved']);
  });
});

describe('preferences', () => {
  it('lists each kind with its e-mail choice (defaults first), only the kinds the member can receive', async () => {
    const member = await signedMember(t);
    const res = (await get(member, '/api/notifications/preferences')).json();
    expect(res.emailChoices).toEqual(['immediate', 'daily', 'weekly', 'off']);
    const kinds = Object.fromEntries(res.preferences.map((p: { kind: string; email: string }) => [p.kind, p.email]));
    expect(kinds).toEqual({
      reply: 'immediate',
      quote: 'immediate',
      mention: 'immediate',
      reaction: 'off',
      new_thread: 'daily',
      moderation_outcome: 'immediate',
      membership_decided: 'off',
      access_expiring: 'off',
      resource_shared: 'daily',
      resource_broken_link: 'immediate',
      spotlight_consent: 'immediate',
      spotlight_published: 'off',
      suggestion_status: 'immediate',
      direct_message: 'immediate',
      message_moderation: 'immediate'
    });
    expect(res.preferences[0]).toMatchObject({
      label: expect.any(String),
      description: expect.any(String),
      defaultEmail: 'immediate'
    });
    const adminKinds = (await get(admin, '/api/notifications/preferences'))
      .json()
      .preferences.map((p: { kind: string }) => p.kind);
    expect(adminKinds).toContain('membership_request');
    // Editors and admins hear about spotlight approvals; members are only ever asked.
    expect(adminKinds).toContain('spotlight_consent_decided');
  });

  it('PUT changes only the kinds named, and refuses unknown kinds, values and kinds the member cannot receive', async () => {
    const member = await signedMember(t);
    const put = (body: unknown) => call(t.app, 'PUT', '/api/notifications/preferences', { cookie: member.cookie, body });
    const ok = await put({ preferences: { reply: 'daily', reaction: 'weekly' } });
    expect(ok.statusCode).toBe(200);
    const after = Object.fromEntries(ok.json().preferences.map((p: { kind: string; email: string }) => [p.kind, p.email]));
    expect(after).toMatchObject({ reply: 'daily', reaction: 'weekly', mention: 'immediate' });
    expect((await get(member, '/api/notifications/preferences')).json()).toEqual(ok.json());

    for (const body of [
      { preferences: { reply: 'hourly' } },
      { preferences: { spotlight: 'daily' } },
      { preferences: {} },
      { preferences: { reply: 'off' }, extra: true },
      {}
    ]) {
      const res = await put(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.message).toBeTruthy();
    }
    const reviewerOnly = await put({ preferences: { membership_request: 'off' } });
    expect(reviewerOnly.statusCode).toBe(400);
    expect(reviewerOnly.json().error.fields).toEqual({ membership_request: 'Not a notification you receive.' });
  });
});
