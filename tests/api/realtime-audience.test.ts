import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, type TestApp } from '../support/app.ts';
import { createTaskForce } from '../support/factories.ts';
import { makeCategory, replyTo, signedMember, startThread, type Signed } from '../support/discussions.ts';
import { listeningApp, LiveClient, settle } from './realtime-helpers.ts';

let t: TestApp;
let url: string;
let admin: Signed;
let houston: number;
let dallas: number;
let privateCategory: number;
const clients: LiveClient[] = [];

beforeEach(async () => {
  ({ t, url } = await listeningApp());
  admin = await signedMember(t, { role: 'admin' });
  houston = createTaskForce(t, { name: 'Houston Area Task Force' }).id;
  dallas = createTaskForce(t, { name: 'Dallas Task Force' }).id;
  privateCategory = await makeCategory(t, admin, { name: 'Houston casework', taskForceIds: [houston] });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await t.close();
});

async function live(who: Signed): Promise<LiveClient> {
  const client = await LiveClient.connect(url, { cookie: who.cookie });
  clients.push(client);
  await client.next('hello');
  return client;
}

const unread = async (who: Signed) =>
  (await call(t.app, 'GET', '/api/notifications/unread-count', { cookie: who.cookie })).json().unreadCount as number;

function audienceBody(taskForceIds: number[]) {
  return { name: 'Houston casework', description: 'Casework', position: 1, colour: '#1f5f8b', taskForceIds, disciplines: [] };
}

describe('a push about a private thread reaches only members who can read it', () => {
  it('an outsider receives nothing about it: no thread room, no notification, even with a stale watch', async () => {
    const insider = await signedMember(t, { taskForceId: houston });
    const outsider = await signedMember(t, { taskForceId: dallas });
    const { threadId } = await startThread(t, insider, privateCategory, { title: 'Hotel sweep debrief' });
    // A watch left from before (as if the member had once been in the audience).
    t.db.$client
      .prepare("INSERT INTO thread_subscriptions (member_id, thread_id, level, updated_at) VALUES (?, ?, 'watching', ?)")
      .run(outsider.id, threadId, t.clock.now());
    const outside = await live(outsider);
    outside.send({ type: 'subscribe', thread: threadId });
    expect(await outside.next('error')).toMatchObject({ code: 'not_found', thread: threadId });

    const insiderLive = await live(insider);
    await insiderLive.subscribe(threadId);
    const { postId } = await replyTo(t, admin, threadId, `Debrief notes for @[Outsider](member:${outsider.id}) and the team.`);
    await insiderLive.next('post.created', (m) => m.postId === postId);
    await insiderLive.next('notification');
    await settle(t);
    expect(outside.messages.filter((m) => m.type !== 'hello' && m.type !== 'error')).toEqual([]);
    expect(await unread(outsider)).toBe(0);
    expect(t.db.$client.prepare('SELECT count(*) AS n FROM notifications WHERE member_id = ?').get(outsider.id)).toEqual({
      n: 0
    });
  });

  it('a member removed from the private category stops receiving at once (thread room and notifications)', async () => {
    const insider = await signedMember(t, { taskForceId: houston });
    const { threadId } = await startThread(t, insider, privateCategory, { title: 'Hotel sweep debrief' });
    const client = await live(insider);
    await client.subscribe(threadId);

    const first = await replyTo(t, admin, threadId, 'While still in the audience.');
    await client.next('post.created', (m) => m.postId === first.postId);
    await client.next('notification');
    expect(await unread(insider)).toBe(1);

    const changed = await call(t.app, 'PATCH', `/api/admin/categories/${privateCategory}`, {
      cookie: admin.cookie,
      body: audienceBody([dallas])
    });
    expect(changed.statusCode).toBe(200);
    const second = await replyTo(t, admin, threadId, 'After the audience changed.');
    await settle(t);
    // Told they left the room, and nothing of the new post.
    await client.next('unsubscribed', (m) => m.thread === threadId);
    expect(client.of('post.created').map((m) => m.postId)).toEqual([first.postId]);
    expect(client.notifications()).toHaveLength(1);
    // What they were told before is no longer listed or counted either.
    expect(await unread(insider)).toBe(0);
    expect((await call(t.app, 'GET', '/api/notifications', { cookie: insider.cookie })).json().notifications).toEqual([]);
    expect(second.postId).toBeGreaterThan(first.postId);
  });

  it('a member moved to another task force stops receiving at once', async () => {
    const insider = await signedMember(t, { taskForceId: houston });
    const { threadId } = await startThread(t, insider, privateCategory, { title: 'Hotel sweep debrief' });
    const client = await live(insider);
    await client.subscribe(threadId);
    const moved = await call(t.app, 'POST', `/api/admin/members/${insider.id}/role`, {
      cookie: admin.cookie,
      body: { role: 'member', taskForceId: dallas }
    });
    expect(moved.statusCode).toBe(200);
    await replyTo(t, admin, threadId, 'After the move.');
    await client.next('unsubscribed', (m) => m.thread === threadId);
    await settle(t);
    expect(client.of('post.created')).toEqual([]);
    expect(client.notifications()).toEqual([]);
  });
});

describe('live thread', () => {
  it('viewers receive new posts, edits and hides by id (the text is fetched through the API)', async () => {
    const category = await makeCategory(t, admin, { name: 'Open practice' });
    const author = await signedMember(t);
    const viewer = await signedMember(t);
    const { threadId } = await startThread(t, author, category, { title: 'Shelter partners' });
    const client = await live(viewer);
    await client.subscribe(threadId);

    const { postId, number } = await replyTo(t, author, threadId, 'We call the regional hotline first.');
    expect(await client.next('post.created')).toEqual({
      type: 'post.created',
      thread: threadId,
      postId,
      number,
      authorId: author.id
    });
    const edited = await call(t.app, 'PATCH', `/api/discussions/posts/${postId}`, {
      cookie: author.cookie,
      body: { body: 'We call the regional hotline first, then the shelter.' }
    });
    expect(edited.statusCode).toBe(200);
    expect(await client.next('post.edited')).toEqual({ type: 'post.edited', thread: threadId, postId });
    const flagged = await call(t.app, 'POST', `/api/discussions/posts/${postId}/flag`, {
      cookie: viewer.cookie,
      body: { reason: 'pii', note: 'Names a person.' }
    });
    expect(flagged.statusCode).toBe(201);
    expect(await client.next('post.hidden')).toEqual({ type: 'post.hidden', thread: threadId, postId });
    expect(JSON.stringify(client.messages)).not.toContain('hotline');

    client.send({ type: 'unsubscribe', thread: threadId });
    await client.next('unsubscribed');
    await replyTo(t, author, threadId, 'Another one.');
    await settle(t);
    expect(client.of('post.created')).toHaveLength(1);
  });

  it('moderators hear of new flags in the staff room; members do not', async () => {
    const category = await makeCategory(t, admin, { name: 'Open practice' });
    const moderator = await signedMember(t, { role: 'moderator' });
    const member = await signedMember(t);
    const { postId } = await startThread(t, admin, category);
    const [modLive, memberLive] = [await live(moderator), await live(member)];
    const flagged = await call(t.app, 'POST', `/api/discussions/posts/${postId}/flag`, {
      cookie: member.cookie,
      body: { reason: 'off_topic', note: null }
    });
    expect(flagged.statusCode).toBe(201);
    await modLive.next('flags.changed');
    await settle(t);
    expect(memberLive.of('flags.changed')).toEqual([]);
  });
});
